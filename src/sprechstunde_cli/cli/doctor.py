"""`doctor`: is the messenger of the current or next session ready for the hour?"""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import NotFoundError


@app.command()
def doctor(
    ctx: typer.Context,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="Check this messenger (e.g. waha) instead of the current or next session's.",
        ),
    ] = None,
) -> None:
    """Check the messenger of the current or next session: reachable, paired, safely set up.

    Prints OK and any warnings; a problem that stops the hour is an error with its fix, and
    the exit code says which kind (6 key, 7 messenger, 3 config).
    """
    application: Application = ctx.obj
    name, why = (provider, "as asked") if provider else _session_provider(application)
    messenger = application.provider(name)
    try:
        warnings = messenger.check()
    finally:
        messenger.close()
    for warning in warnings:
        application.warn(warning)
    summary = f"{len(warnings)} warning(s)" if warnings else "no warnings"
    application.say(f"OK: {name} is ready ({why}; {summary}).")


def _session_provider(application: Application) -> tuple[str, str]:
    from sprechstunde_cli.domain.model import SessionState

    if application.paths.store_file.exists():
        running = application.store.sessions(SessionState.OPEN, SessionState.CLOSING)
        if running:
            return running[0].provider, f"session '{running[0].id}' is {running[0].state.value}"
    upcoming = application.config.upcoming(application.clock.now())
    if upcoming:
        return upcoming[0].provider, f"next session '{upcoming[0].id}'"
    raise NotFoundError(
        "No session is open or planned, so there is no messenger to check.",
        "Name one: sprechstunde doctor --provider waha (or local, matrix …).",
    )
