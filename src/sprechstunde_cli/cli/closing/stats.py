"""`stats`: figures for the press release, kept after the purge."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonObjectOpt
from sprechstunde_cli.i18n import _


def stats(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("Session id."))],
    as_json: JsonObjectOpt = False,
) -> None:
    """Show figures for the press release: threads, answers, hand-offs, waiting time."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.receipt import statistics_for

    figures = statistics_for(application.store, session)
    if as_json:
        from sprechstunde_cli.render import jsonout

        application.emit_json(jsonout.statistics(figures))
        return
    from sprechstunde_cli.render.receipt import stats_lines

    for line in stats_lines(figures):
        application.say(line)
