"""`sandbox edit`: a citizen replaces the text of their last message."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FromOpt
from sprechstunde_cli.i18n import _


def edit(
    ctx: typer.Context,
    sender: FromOpt,
    text: Annotated[str, typer.Argument(help=_("The new text of the message."))],
) -> None:
    """Edit a citizen's last message: the office sees only the new text."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    application.say(
        _("edited {message_id}").format(message_id=sandbox.edit(application.paths, sender, text))
    )
