"""`followup`: hand a thread's question to a department for an e-mail answer, with consent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application, is_interactive
from sprechstunde_cli.cli.options import SessionOpt
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.domain.model import SessionRecord


def followup(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(help=_("Thread number, as shown by `threads`."), min=1, show_default=False),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            help=_(
                "The address the citizen dictated. Leave out to use the one they wrote in "
                "the thread (you are asked to confirm it)."
            ),
        ),
    ] = None,
    dept: Annotated[
        str | None,
        typer.Option("--dept", help=_("The department that answers ([handoff] departments).")),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", help=_("A note for the department, sent with the question."))
    ] = "",
    consent: Annotated[
        bool,
        typer.Option(
            "--consent",
            help=_("The citizen agreed in the chat that the department answers them by e-mail."),
        ),
    ] = False,
    list_: Annotated[
        bool,
        typer.Option("--list", help=_("List the session's hand-offs (addresses masked).")),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("With --list: one JSON object per line."))
    ] = False,
    session: SessionOpt = None,
) -> None:
    """Hand a thread's question to a department, which answers the citizen by e-mail."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    if list_:
        if number is not None or email or dept or note or consent:
            raise InputError(
                _("--list takes no thread, address, department, note or consent."),
                _("Run: sprechstunde followup --list"),
            )
        _list(application, record, as_json)
        return
    if number is None or not dept:
        raise InputError(
            _("Name the thread and the department."),
            _("Run: sprechstunde followup N --dept NAME [--email ADDRESS] [--consent]"),
        )
    _record(application, record, number, email, dept, note, consent)


def _record(
    application: Application,
    record: SessionRecord,
    number: int,
    email: str | None,
    dept: str,
    note: str,
    consent: bool,
) -> None:
    from sprechstunde_cli.services import handoff

    config = application.config
    store = application.store
    kind = handoff.Consent.OPERATOR if consent else handoff.Consent.NONE
    # The address first: it names a thread that does not exist before any department problem.
    found = (
        None if email is not None else handoff.detect_email(store, record, number, config=config)
    )
    department = handoff.resolve_department(config, dept)
    if email is None:
        if found is None:
            raise InputError(
                _("Thread {number} holds no e-mail address.").format(number=number),
                _("Ask the citizen for it in the chat, then add --email ADDRESS --consent."),
            )
        email = found
        if not consent and is_interactive():
            # The full address here, not masked: the operator is checking it is the right one.
            agreed = application.confirm(
                _(
                    "Thread {number} wrote {email}. Has the citizen agreed that {department} "
                    "answers them there by e-mail?"
                ).format(number=number, email=email, department=department)
            )
            if not agreed:
                application.say(_("Nothing recorded."))
                return
            kind = handoff.Consent.DETECTED
    with application.provider(record.provider) as provider:
        found_handoff = handoff.record(
            store,
            provider,
            config,
            record,
            number,
            department=department,
            email=email,
            note=note,
            consent=kind,
            operator=application.operator,
            now=application.clock.now(),
        )
    masked = handoff.mask_email(found_handoff.email)
    state, error = handoff.confirmation(store, found_handoff)
    application.say(
        _("Thread {number} handed to {department} ({masked}).").format(
            number=number, department=found_handoff.department, masked=masked
        )
    )
    if state == "sent":
        application.say(_("The citizen got the confirmation in the chat."))
    else:
        application.warn(
            _(
                "The confirmation to the citizen is {state} ({value}); `open` keeps retrying it."
            ).format(state=state, value=error or "")
        )


def _list(application: Application, record: SessionRecord, as_json: bool) -> None:
    from sprechstunde_cli.services import handoff

    found = [(h, handoff.mask_email(h.email)) for h in handoff.all_of(application.store, record.id)]
    if as_json:
        from sprechstunde_cli.render import jsonout

        for h, masked in found:
            application.emit_json(jsonout.handoff(h, masked))
        return
    if not found:
        application.say(_("No hand-offs in session '{id}'.").format(id=record.id))
        return
    from sprechstunde_cli.render.handoffs import handoff_lines

    for line in handoff_lines(found):
        application.say(line)
    left = handoff.outstanding(application.store, record.id)
    application.say(
        _("{left} outstanding; they go out at: sprechstunde close {id}").format(
            left=left, id=record.id
        )
    )
