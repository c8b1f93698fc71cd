"""`sessions`: the sessions of the config and their state on this machine."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application


def sessions(ctx: typer.Context) -> None:
    """List the sessions of the config and their state on this machine."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.hour import session_line
    from sprechstunde_cli.services.sessions import listing

    for item in listing(application.store, application.config, application.clock.now()):
        application.say(session_line(item))
