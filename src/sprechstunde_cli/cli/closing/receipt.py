"""`receipt`: the deletion receipt (Löschprotokoll) of a purged session."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonObjectOpt
from sprechstunde_cli.i18n import _


def receipt(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("Session id."))],
    as_json: JsonObjectOpt = False,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf",
            metavar="FILE",
            help=_("Also write it as a printable PDF for the office's records (replaces FILE)."),
        ),
    ] = None,
) -> None:
    """Show the deletion receipt (Löschprotokoll) of a purged session."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.receipt import receipt_of

    found = receipt_of(application.store, session)
    if pdf is not None:
        from sprechstunde_cli.render.receipt_pdf import receipt_pdf
        from sprechstunde_cli.system.files import write_named

        hint = _("Name a file in a folder you can write, e.g. --pdf loeschprotokoll.pdf")
        write_named(pdf, receipt_pdf(found, application.clock.now()), hint)
        application.say(_("Wrote the deletion receipt as PDF: {pdf}").format(pdf=pdf))
        return
    if as_json:
        application.emit_json(found.to_json())
        return
    from sprechstunde_cli.render.receipt import receipt_view

    application.show(receipt_view(found))
