"""`sandbox call`: call the office as a citizen."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FromOpt
from sprechstunde_cli.i18n import _


def call(
    ctx: typer.Context,
    sender: FromOpt,
    video: Annotated[bool, typer.Option("--video", help=_("Make it a video call."))] = False,
    name: Annotated[str, typer.Option("--name", help=_("Display name the citizen set."))] = "",
) -> None:
    """Call the office as a citizen (the office refuses calls)."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    call_id = sandbox.call(
        application.paths, sender, name=name, video=video, stamp=application.clock.now
    )
    application.say(_("calling {call}").format(call=call_id))
