"""`sandbox status`: the public notices the office posted on the local messenger."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonOpt


def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show the local messenger's status: the public notices the office posted."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import sandbox

    entries = sandbox.status(application.paths)
    if as_json:
        from sprechstunde_cli.render import jsonout

        for e in entries:
            application.emit_json(jsonout.status_entry(e))
        return
    from sprechstunde_cli.render.messages import phone_view

    application.show(phone_view("status", entries))
