"""`receipt`: the deletion receipt (Löschprotokoll) of a purged session."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonObjectOpt
from sprechstunde_cli.i18n import _


def receipt(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("Session id."))],
    as_json: JsonObjectOpt = False,
) -> None:
    """Show the deletion receipt (Löschprotokoll) of a purged session."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.receipt import receipt_of

    found = receipt_of(application.store, session)
    if as_json:
        application.emit_json(found.to_json())
        return
    from sprechstunde_cli.render.receipt import receipt_view

    application.show(receipt_view(found))
