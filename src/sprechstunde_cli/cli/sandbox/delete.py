"""`sandbox delete`: a citizen deletes their last message for everyone."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FromOpt
from sprechstunde_cli.i18n import _


def delete(ctx: typer.Context, sender: FromOpt) -> None:
    """Withdraw a citizen's last message, as deleting it for everyone does."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    application.say(
        _("withdrew {message_id}").format(message_id=sandbox.withdraw(application.paths, sender))
    )
