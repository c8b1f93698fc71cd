"""`schedule`: the next sessions with their state; the ICS feed and the website snippet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonOpt
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.services.plan import FileResult


def schedule(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics", help=_("Also write the calendar to this iCalendar file (atomically).")
        ),
    ] = None,
    snippet: Annotated[
        Path | None,
        typer.Option(
            "--snippet",
            help=_(
                "Also write the German website snippet to this file "
                "(announce.files.sessions dates, default 3)."
            ),
        ),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", min=1, help=_("How many upcoming sessions to list."))
    ] = 10,
) -> None:
    """List the next sessions with their state, cancelled dates included."""
    application: Application = ctx.obj
    from sprechstunde_cli.render import jsonout
    from sprechstunde_cli.render.planning import calendar_line, file_line
    from sprechstunde_cli.services import plan

    config, now = application.config, application.clock.now()
    rows = plan.upcoming_rows(application.store, config, now, count)
    for row in rows:
        if as_json:
            application.emit_json(jsonout.calendar_row(row))
        else:
            application.say(calendar_line(row))
    if not rows and not as_json:
        application.say(
            _("No upcoming sessions. Add [sessions.<id>] or [schedules.<id>] to the config.")
        )
    jobs: list[tuple[Path, Callable[[], bool]]] = []
    if ics is not None:
        jobs.append((ics, lambda: plan.write_ics(application.store, config, now, ics)))
    if snippet is not None:
        # The same text the files target writes from cron: announce.files.sessions dates.
        dates = config.announce.files.sessions
        jobs.append(
            (snippet, lambda: plan.write_snippet(application.store, config, now, snippet, dates))
        )
    for path, write in jobs:
        result: FileResult = plan.FileResult(path, write())
        # With --json, stdout carries only JSON: the file lines go to stderr.
        if as_json or result.error:
            application.fail(file_line(result))
        else:
            application.say(file_line(result))
