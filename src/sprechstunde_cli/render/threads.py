"""The thread table of `threads` and the live view of `open`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Span, Text

from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.page import ThreadPage
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.i18n import _, ngettext
from sprechstunde_cli.render.console import Redacted, citizen_text
from sprechstunde_cli.render.formats import STATE_WORDS, hhmm, span_text, word, zone
from sprechstunde_cli.render.plain import cells as measure
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.render.thread_lines import (
    Cell,
    header_cells,
    is_dim,
    line_pieces,
    more_line,
    more_words,
    plain,
    row_cells,
    widths,
)

NAME_CHARS = 40

# Lines live_view spends outside the table rows: title, info, table header, header rule, footer.
_LIVE_CHROME_LINES = 5


def _line(cells: Sequence[Cell], column_widths: Sequence[int], style: str = "") -> Text:
    """The aligned line of `line_pieces`, each piece with its style."""
    # One Text with its spans, as appending piece by piece would make it (a styled empty
    # piece, an empty unread cell, stays a span: the same bytes on a terminal), built at once:
    # a frame has 40 of these.
    spans, offset = [], 0
    pieces = line_pieces(cells, column_widths)
    for piece, piece_style in pieces:
        if piece_style:
            spans.append(Span(offset, offset + len(piece), piece_style))
        offset += len(piece)
    text = "".join(piece for piece, _style in pieces)
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", spans=spans)


def threads_table(
    rows: Sequence[ThreadRow],
    *,
    now: datetime,
    tz: tzinfo,
    max_rows: int | None = None,
    total: int | None = None,
) -> Table:
    """Build the thread table; only the first max_rows rows are rendered, then '… and N more'
    (`total`: how many threads there are when `rows` are only the first of them)."""
    # Slicing before any formatting keeps a 2,000-thread session as cheap as a 40-thread one.
    shown = rows if max_rows is None else rows[: max(0, max_rows)]
    cells = [row_cells(row, now, tz) for row in shown]
    column_widths = widths([[plain(c) for c in row] for row in cells])
    # One Rich column holding lines we align ourselves: Rich lays out a table cell by cell at
    # ~0.1 ms each, which made 40 rows × 6 columns cost more than a live-view frame may. Each line
    # is cut at the terminal's edge, so `last` is the column that gives way on a narrow screen.
    header = _line(header_cells(), column_widths)
    lines = [
        _line(one, column_widths, "dim" if is_dim(row) else "")
        for row, one in zip(shown, cells, strict=True)
    ]
    hidden = (len(rows) if total is None else total) - len(shown)
    if hidden > 0:
        more = Text(no_wrap=True, overflow="ellipsis")
        more.append(more_line(hidden, column_widths))
        # Only the words are styled, not the indent before them.
        more.stylize("dim italic", len(more) - len(more_words(hidden)))
        lines.append(more)
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0, header_style="bold"
    )
    # The column is as wide as its widest line (what Rich would measure, character by character,
    # on every frame), at most the terminal, which cuts each line with '…'.
    width = max(measure(line.plain) for line in [header, *lines])
    table.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
    for line in lines:
        table.add_row(line)
    return table


def live_room(height: int, alerts: int = 0) -> int:
    """How many threads the live view has room for at `height` lines with `alerts` alert lines:
    what `open` asks the store for (one more than the table shows when it must cut)."""
    return max(1, height - _LIVE_CHROME_LINES - alerts)


def live_view(
    session: SessionRecord,
    threads: ThreadPage | Sequence[ThreadRow],
    *,
    now: datetime,
    status: Redacted,
    height: int,
    alert: Sequence[Redacted] = (),
) -> Group:
    """Build the `open` screen: session header, as many threads as fit in height, status line;
    `alert`: a problem that lasts (the store takes no writes) and its fix, a line each.
    `threads`: every thread in order, or a page of the first `live_room` of them."""
    if not isinstance(threads, ThreadPage):
        rows = tuple(threads)
        waiting_count = sum(1 for r in rows if r.waiting_since is not None)
        threads = ThreadPage(rows, len(rows), waiting_count)
    rows, total = threads.rows, threads.total
    tz = zone(session.timezone)
    title = Text()
    title.append(clean(session.title, single_line=True, limit=80), style="bold")
    title.append(" · ")
    title.append(clean(session.official, single_line=True, limit=NAME_CHARS))

    left = session.end - now
    info = Text(style="dim")
    if session.rehearsal_of:
        info.append(_("rehearsal of {id} · ").format(id=session.rehearsal_of))
    info.append(
        _("{value} · ends {hhmm} · ").format(
            value=word(STATE_WORDS, session.state), hhmm=hhmm(session.end, tz)
        )
    )
    info.append(
        _("{span} left").format(span=span_text(left)) if left > timedelta(0) else _("time is up")
    )
    info.append(
        ngettext(
            " · {count} thread, {waiting} waiting",
            " · {count} threads, {waiting} waiting",
            total,
        ).format(count=total, waiting=threads.waiting)
    )

    footer = citizen_text(status, single_line=True, style="dim")
    top = [title, info]
    for text in alert:
        # One line each whatever the width, so the table below knows how much room it has.
        line = citizen_text(text, single_line=True, style="bold red")
        line.no_wrap, line.overflow = True, "ellipsis"
        top.append(line)
    if not total:
        body: RenderableType = Text(_("No messages yet."), style="dim")
    else:
        room = live_room(height, len(top) - 2)
        # When rows are cut, the '… and N more' row needs a line of its own.
        fit = room if total <= room else max(1, room - 1)
        body = threads_table(rows, now=now, tz=tz, max_rows=fit, total=total)
    return Group(*top, body, footer)
