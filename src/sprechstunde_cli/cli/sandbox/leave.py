"""`sandbox leave`: a citizen leaves the chat (or blocks the office)."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FromOpt
from sprechstunde_cli.i18n import _


def leave(ctx: typer.Context, sender: FromOpt) -> None:
    """Leave the chat as a citizen: the office's answers no longer reach them."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    application.say(_("left {event_id}").format(event_id=sandbox.leave(application.paths, sender)))
