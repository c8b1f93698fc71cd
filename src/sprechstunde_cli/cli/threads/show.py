"""`show`: one thread's messages, marked read."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import SessionOpt, ThreadArg
from sprechstunde_cli.i18n import _


def show(ctx: typer.Context, number: ThreadArg, session: SessionOpt = None) -> None:
    """Show one thread's messages and mark them read."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.formats import zone
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.reading import read_thread

    record = current_session(application.store, session)
    view = read_thread(
        application.store, record, number, lambda: application.provider(record.provider)
    )
    if view.problem:
        application.warn(_("Read receipt not sent: {problem}").format(problem=view.problem))
    tz = zone(record.timezone)
    if application.plain_width() is not None:
        # Into a pipe or a file: the same lines, without loading Rich's console (~19 ms).
        from sprechstunde_cli.render.message_lines import message_lines

        lines = message_lines(view.number, view.citizen, view.messages, tz=tz, left=view.left)
        if lines is not None:
            application.show_lines(lines)
            return
    from sprechstunde_cli.render.messages import thread_view

    application.show(thread_view(view.number, view.citizen, view.messages, tz=tz, left=view.left))
