"""`sandbox delete`: a citizen deletes their last message for everyone."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FromOpt


def delete(ctx: typer.Context, sender: FromOpt) -> None:
    """Withdraw a citizen's last message, as deleting it for everyone does."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    application.say(f"withdrew {sandbox.withdraw(application.paths, sender)}")
