"""`followup`: hand a thread's question to a department for an e-mail answer, with consent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli import application as context
from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.render.jsonout import dumps

if TYPE_CHECKING:
    from sprechstunde_cli.domain.model import SessionRecord


@app.command()
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
    session: Annotated[
        str | None,
        typer.Option("--session", "-s", help="Session id. Default: the session that is open now."),
    ] = None,
) -> None:
    """Hand a thread's question to a department, which answers the citizen by e-mail."""
    application: Application = ctx.obj
    record = application.current_session(session)
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
    department = handoff.resolve_department(config, dept)
    if email is None:
        found = handoff.detect_email(store, record, number, config=config)
        if found is None:
            raise InputError(
                f"Thread {number} holds no e-mail address.",
                "Ask the citizen for it in the chat, then add --email ADDRESS --consent.",
            )
        email = found
        if not consent and context.is_interactive():
            # The full address here, not masked: the operator is checking it is the right one.
            agreed = typer.confirm(
                f"Thread {number} wrote {email}. Has the citizen agreed that {department} "
                "answers them there by e-mail?",
                default=False,
            )
            if not agreed:
                application.say("Nothing recorded.")
                return
            kind = handoff.Consent.DETECTED
    provider = application.provider(record.provider)
    try:
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
    finally:
        provider.close()
    masked = handoff.mask_email(found_handoff.email)
    state, error = handoff.confirmation(store, found_handoff)
    application.say(f"Thread {number} handed to {found_handoff.department} ({masked}).")
    if state == "sent":
        application.say("The citizen got the confirmation in the chat.")
    else:
        from sprechstunde_cli.render.sanitize import clean

        application.warn(
            f"The confirmation to the citizen is {state} ({clean(error or '', single_line=True)});"
            " `open` keeps retrying it."
        )


def _list(application: Application, record: SessionRecord, as_json: bool) -> None:
    from sprechstunde_cli.render.sanitize import clean
    from sprechstunde_cli.services import handoff

    found = handoff.all_of(application.store, record.id)
    if as_json:
        for h in found:
            typer.echo(
                dumps(
                    {
                        "thread": h.thread,
                        "department": h.department,
                        "email": handoff.mask_email(h.email),
                        "state": h.state,
                        "attempts": h.attempts,
                        "error": h.error,
                    }
                )
            )
        return
    if not found:
        application.say(f"No hand-offs in session '{record.id}'.")
        return
    width = max(len("Department"), *(len(h.department) for h in found))
    application.say(f"{'Thread':>6}  {'Department':<{width}}  {'Address':<28}  State")
    for h in found:
        line = (
            f"{h.thread:>6}  {h.department:<{width}}  {handoff.mask_email(h.email):<28}  {h.state}"
        )
        if h.error:
            line += f" ({h.error})"
        application.say(clean(line, single_line=True))
    left = handoff.outstanding(application.store, record.id)
    application.say(f"{left} outstanding; they go out at: sprechstunde close {record.id}")
