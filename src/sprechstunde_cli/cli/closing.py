"""Ending commands: close, purge, receipt, stats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import NotFoundError
from sprechstunde_cli.render.jsonout import dumps

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.services.purge import Places

SessionArg = Annotated[
    str | None, typer.Argument(help="Session id. Default: the session that is open now.")
]
ExportOpt = Annotated[
    bool,
    typer.Option(
        "--export-handoffs",
        help="Write undelivered hand-offs to the export file instead of "
        "waiting for e-mail delivery.",
    ),
]
SkipOpt = Annotated[
    bool,
    typer.Option(
        "--skip-provider",
        help="Delete only on this machine when the messenger cannot be reached "
        "(recorded in the receipt).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command()
def close(
    ctx: typer.Context,
    session: SessionArg = None,
    purge_: Annotated[
        bool, typer.Option("--purge", help="Delete the session's data right after closing.")
    ] = False,
    export_handoffs: ExportOpt = False,
    skip_provider: SkipOpt = False,
) -> None:
    """Close the hour: closing words to unanswered threads, hand-offs out, intake stopped."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.close import close as close_session

    record = application.current_session(session)
    provider = application.provider(record.provider)
    try:
        report = close_session(
            application.store,
            provider,
            application.config,
            record.id,
            application.clock.now(),
            actor=application.operator,
            mailer=application.mailer(),
            export_dir=_places(application, record.id).export_dir,
            sleep=application.clock.sleep,
        )
        application.say(
            f"Closed session '{record.id}': closing words sent to "
            f"{report.closing_sent} unanswered thread(s)."
        )
        if report.handoffs_delivered:
            application.say(f"{report.handoffs_delivered} hand-off(s) sent by e-mail.")
        if report.export_file:
            application.say(
                f"{report.handoffs_exported} hand-off(s) written to "
                f"{report.export_file} — take this file to the departments."
            )
        if report.handoffs_failed:
            application.warn(
                f"{report.handoffs_failed} hand-off(s) not delivered yet; the purge waits for them."
            )
        if report.undelivered:
            application.warn(f"{report.undelivered} message(s) could not be delivered.")
        for problem in report.problems:
            application.warn(problem)
        if purge_:
            _purge(application, record.id, provider, export_handoffs, skip_provider)
    finally:
        provider.close()


@app.command()
def purge(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help="Session id to delete.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be deleted, and change nothing.")
    ] = False,
    export_handoffs: ExportOpt = False,
    skip_provider: SkipOpt = False,
) -> None:
    """Delete a closed session at the messenger and on this machine, verify, write a receipt."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import SessionState

    record = application.store.require_session(session)
    if record.state is SessionState.PURGED:
        application.say(
            f"Session '{session}' is already purged. Receipt: sprechstunde receipt {session}"
        )
        return
    provider = application.provider(record.provider)
    try:
        if dry_run:
            from sprechstunde_cli.services.purge import plan

            p = plan(application.store, provider, record.id)
            application.say(f"Purge plan for '{p.session_id}' (state {record.state.value}):")
            application.say(f"  1. hand-offs still to deliver or export: {p.handoffs_outstanding}")
            application.say("  2. turn away messages that came after the close")
            application.say(
                f"  3. {p.provider}: delete {p.provider_messages} message(s) in "
                f"{p.chats} chat(s), reach: {p.reach.value.replace('_', ' ')}; "
                "then list again"
            )
            application.say(
                f"  4. here: delete {p.local_messages} message(s), "
                f"{p.media_files} media file(s), temp files; truncate the WAL"
            )
            application.say("  5. search the data dir, temp space and log for remains")
            application.say("  6. destroy the session key, write the receipt")
            return
        _purge(application, record.id, provider, export_handoffs, skip_provider)
    finally:
        provider.close()


def _places(application: Application, session_id: str) -> Places:
    from sprechstunde_cli.services.purge import Places

    paths = application.paths
    export_dir = application.config.handoff.export_dir or Path.cwd()
    return Places(
        data_dir=paths.data_dir,
        session_dir=paths.session_dir(session_id),
        log_file=paths.log_file,
        export_dir=export_dir,
    )


def _purge(
    application: Application,
    session_id: str,
    provider: Provider,
    export_handoffs: bool,
    skip_provider: bool,
) -> None:
    from sprechstunde_cli.services.purge import purge as purge_session

    receipt = purge_session(
        application.store,
        provider,
        application.config,
        session_id,
        application.clock,
        places=_places(application, session_id),
        mailer=application.mailer(),
        export_handoffs=export_handoffs,
        skip_provider=skip_provider,
    )
    for result in receipt["providers"]:
        how = (
            "skipped by operator"
            if result["skipped_by_operator"]
            else f"{result['confirmed']} of {result['requested']} messages deleted"
        )
        application.say(
            f"Purged session '{session_id}' at {result['provider']}: {how} "
            f"(reach: {result['reach'].replace('_', ' ')})."
        )
    application.say(
        f"Local data deleted and verified ({receipt['verification']['result']}); "
        f"session key destroyed. Receipt: sprechstunde receipt {session_id}"
    )


@app.command()
def receipt(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help="Session id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show the deletion receipt (Löschprotokoll) of a purged session."""
    application: Application = ctx.obj
    from sprechstunde_cli.store import purging

    application.store.require_session(session)
    body = purging.receipt(application.store, session)
    if body is None or "verification" not in body:
        raise NotFoundError(
            f"Session '{session}' has no deletion receipt yet.",
            f"Purge it first: sprechstunde purge {session}",
        )
    if as_json:
        typer.echo(dumps(body))
        return
    from sprechstunde_cli.render.views import receipt_view

    application.console.print(receipt_view(body))


@app.command()
def stats(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help="Session id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show figures for the press release: threads, answers, hand-offs, waiting time."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.receipt import statistics_for

    figures: dict[str, Any] = statistics_for(application.store, session)
    if as_json:
        typer.echo(dumps(figures))
        return
    wait = figures["median_wait_seconds"]
    lines = [
        f"Session {figures['session']} ({figures['state']})",
        f"  threads:              {figures['threads']}",
        f"  answered live:        {figures['answered_live']}",
        f"  handed to departments:{figures['handed_off']:>3}",
        f"  late messages:        {figures['late_messages']}",
        f"  calls refused:        {figures['calls_refused']}",
        f"  photos / voice notes: {figures['photos']} / {figures['voice_notes']}",
        "  median wait:          " + ("—" if wait is None else f"{wait / 60:.1f} min"),
    ]
    for line in lines:
        application.say(line)
