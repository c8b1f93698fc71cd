"""`threads`: the session's threads, longest-waiting first."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonOpt, SessionOpt


def threads(ctx: typer.Context, session: SessionOpt = None, as_json: JsonOpt = False) -> None:
    """List the session's threads, longest-waiting first."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.threads import thread_list

    record = current_session(application.store, session)
    rows = thread_list(application.store, record)
    if as_json:
        from sprechstunde_cli.render import jsonout

        for row in rows:
            application.emit_json(jsonout.thread(row))
        return
    from sprechstunde_cli.render.formats import zone

    now, tz = application.clock.now(), zone(record.timezone)
    width = application.plain_width()
    if width is not None:
        # Into a pipe or a file: the same lines, without Rich (~400 ms at 2,000 threads).
        from sprechstunde_cli.render.thread_lines import threads_lines

        application.show_lines(threads_lines(rows, now=now, tz=tz, width=width))
        return
    from sprechstunde_cli.render.threads import threads_table

    application.show(threads_table(rows, now=now, tz=tz))
