"""`tail`: follow new messages of the open session, in a second terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import JsonOpt, SessionOpt
from sprechstunde_cli.i18n import _

POLL_SECONDS = 0.5


def tail(
    ctx: typer.Context,
    session: SessionOpt = None,
    as_json: JsonOpt = False,
    once: Annotated[bool, typer.Option("--once", help=_("Print what is there and exit."))] = False,
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=0, help=_("Start with the last N messages."))
    ] = 10,
) -> None:
    """Follow new messages of the open session as they arrive."""
    application: Application = ctx.obj
    from sprechstunde_cli.render import jsonout
    from sprechstunde_cli.render.formats import zone
    from sprechstunde_cli.render.plain import PlainLines
    from sprechstunde_cli.render.tail_line import tail_pieces
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.tail import Follower

    record = current_session(application.store, session)
    follower = Follower(application.store, record, lines)
    tz = zone(record.timezone)
    try:
        while True:
            for seen in follower.new():
                if as_json:
                    event = jsonout.message_event(
                        record.id, seen.citizen, seen.message, seen.change.value
                    )
                    application.emit_json(event)
                else:
                    pieces = tail_pieces(seen.message, seen.citizen, tz=tz)
                    text = "".join(piece for piece, _ in pieces)
                    # Into a pipe: the line as Rich prints it unwrapped, without Rich.
                    if "\t" not in text and application.plain_width() is not None:
                        application.show_lines(PlainLines((text,)))
                    else:
                        from sprechstunde_cli.render.messages import message_line

                        line = message_line(seen.message, seen.citizen, tz=tz)
                        application.show(line, soft_wrap=True)
            if once:
                return
            application.clock.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
