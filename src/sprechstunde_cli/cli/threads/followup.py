"""`followup`: hand a thread's question to a department for an e-mail answer, with consent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application, is_interactive
from sprechstunde_cli.cli.options import SessionOpt
from sprechstunde_cli.errors import InputError

if TYPE_CHECKING:
    from sprechstunde_cli.domain.model import SessionRecord


def followup(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(help="Thread number, as shown by `threads`.", min=1, show_default=False),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            help="The address the citizen dictated. Leave out to use the one they wrote in "
            "the thread (you are asked to confirm it).",
        ),
    ] = None,
    dept: Annotated[
        str | None,
        typer.Option("--dept", help="The department that answers ([handoff] departments)."),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", help="A note for the department, sent with the question.")
    ] = "",
    consent: Annotated[
        bool,
        typer.Option(
            "--consent",
            help="The citizen agreed in the chat that the department answers them by e-mail.",
        ),
    ] = False,
    list_: Annotated[
        bool,
        typer.Option("--list", help="List the session's hand-offs (addresses masked)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --list: one JSON object per line.")
    ] = False,
    session: SessionOpt = None,
) -> None:
    """Hand a thread's question to a department, which answers the citizen by e-mail."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.sessions import current_session

    record = current_session(application.store, session)
    if list_:
        if number is not None or email or dept or note or consent:
            raise InputError(
                "--list takes no thread, address, department, note or consent.",
                "Run: sprechstunde followup --list",
            )
        _list(application, record, as_json)
        return
    if number is None or not dept:
        raise InputError(
            "Name the thread and the department.",
            "Run: sprechstunde followup N --dept NAME [--email ADDRESS] [--consent]",
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
                f"Thread {number} holds no e-mail address.",
                "Ask the citizen for it in the chat, then add --email ADDRESS --consent.",
            )
        email = found
        if not consent and is_interactive():
            # The full address here, not masked: the operator is checking it is the right one.
            agreed = application.confirm(
                f"Thread {number} wrote {email}. Has the citizen agreed that {department} "
                "answers them there by e-mail?"
            )
            if not agreed:
                application.say("Nothing recorded.")
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
    application.say(f"Thread {number} handed to {found_handoff.department} ({masked}).")
    if state == "sent":
        application.say("The citizen got the confirmation in the chat.")
    else:
        application.warn(
            f"The confirmation to the citizen is {state} ({error or ''}); `open` keeps retrying it."
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
        application.say(f"No hand-offs in session '{record.id}'.")
        return
    from sprechstunde_cli.render.handoffs import handoff_lines

    for line in handoff_lines(found):
        application.say(line)
    left = handoff.outstanding(application.store, record.id)
    application.say(f"{left} outstanding; they go out at: sprechstunde close {record.id}")
