"""`sandbox inbox`: what a citizen's phone shows."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonOpt
from sprechstunde_cli.i18n import _


def inbox(
    ctx: typer.Context,
    handle: Annotated[str, typer.Option("--as", help=_("The citizen whose phone to read."))],
    as_json: JsonOpt = False,
) -> None:
    """Show what a citizen's phone shows: their messages and the office's answers."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    entries = sandbox.phone(application.paths, handle)
    if as_json:
        from sprechstunde_cli.render import jsonout

        for e in entries:
            application.emit_json(jsonout.phone_entry(e))
        return
    from sprechstunde_cli.render.messages import phone_view

    application.show(phone_view(handle, entries))
