"""The thread table of `threads` and the live view of `open`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sprechstunde_cli.domain.model import Direction, MessageKind, SessionRecord, ThreadRow
from sprechstunde_cli.i18n import N_, _, ngettext
from sprechstunde_cli.render.console import Redacted, citizen_text
from sprechstunde_cli.render.formats import KIND_WORDS, STATE_WORDS, hhmm, span_text, word, zone
from sprechstunde_cli.render.sanitize import clean

LAST_LINE_CHARS = 60
CITIZEN_CHARS = 32
CLAIMED_CHARS = 16
NAME_CHARS = 40

_HEADERS = ("#", N_("citizen"), N_("waiting"), N_("unread"), N_("claimed"), N_("last"))
_RIGHT_ALIGNED = frozenset({0, 3})
_GAP = "  "

# Lines live_view spends outside the table rows: title, info, table header, header rule, footer.
_LIVE_CHROME_LINES = 5


def _waiting_cell(row: ThreadRow, now: datetime, tz: tzinfo) -> Text:
    if row.waiting_since is None:
        return Text("—", style="dim")
    span = span_text(now - row.waiting_since)
    return Text(_("{span} since {hhmm}").format(span=span, hhmm=hhmm(row.waiting_since, tz)))


def _last_cell(row: ThreadRow) -> Text:
    cell = Text(no_wrap=True, overflow="ellipsis")
    if row.last_direction is Direction.OUT:
        cell.append("→ ", style="dim")
    if row.last_kind is not None and row.last_kind is not MessageKind.TEXT:
        # Literal brackets: a Text is never parsed as markup.
        cell.append(f"[{KIND_WORDS[row.last_kind]}]", style="cyan")
        if row.last_line:
            cell.append(" ")
    cell.append(clean(row.last_line, single_line=True, limit=LAST_LINE_CHARS))
    return cell


def _row_cells(row: ThreadRow, now: datetime, tz: tzinfo) -> list[Text]:
    return [
        Text(str(row.number)),
        citizen_text(row.citizen, single_line=True, limit=CITIZEN_CHARS),
        _waiting_cell(row, now, tz),
        Text(str(row.unread) if row.unread else "", style="bold"),
        citizen_text(row.claimed_by or "", single_line=True, limit=CLAIMED_CHARS),
        _last_cell(row),
    ]


def _join_cells(cells: Sequence[Text], widths: Sequence[int], style: str = "") -> Text:
    line = Text(style=style, no_wrap=True, overflow="ellipsis")
    last = len(cells) - 1
    for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        gap = " " * (width - cell.cell_len)
        if index in _RIGHT_ALIGNED:
            line.append(gap)
        line.append_text(cell)
        if index != last:
            line.append("" if index in _RIGHT_ALIGNED else gap)
            line.append(_GAP)
    return line


def threads_table(
    rows: Sequence[ThreadRow], *, now: datetime, tz: tzinfo, max_rows: int | None = None
) -> Table:
    """Build the thread table; only the first max_rows rows are rendered, then '… and N more'."""
    # Slicing before any formatting keeps a 2,000-thread session as cheap as a 40-thread one.
    shown = rows if max_rows is None else rows[: max(0, max_rows)]
    cells = [_row_cells(row, now, tz) for row in shown]
    headers = [Text(_(h)) for h in _HEADERS]
    widths = [max(c[i].cell_len for c in [headers, *cells]) for i in range(len(_HEADERS))]
    # One Rich column holding lines we align ourselves: Rich lays out a table cell by cell at
    # ~0.1 ms each, which made 40 rows × 6 columns cost more than a live-view frame may. Each line
    # is cut at the terminal's edge, so `last` is the column that gives way on a narrow screen.
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0, header_style="bold"
    )
    table.add_column(_join_cells(headers, widths), no_wrap=True, overflow="ellipsis")
    for row, row_cells in zip(shown, cells, strict=True):
        table.add_row(
            _join_cells(row_cells, widths, "dim" if row.answered and not row.unread else "")
        )
    hidden = len(rows) - len(shown)
    if hidden > 0:
        more = Text(" " * (widths[0] + len(_GAP)), no_wrap=True, overflow="ellipsis")
        more.append(_("… and {hidden} more").format(hidden=hidden), style="dim italic")
        table.add_row(more)
    return table


def live_view(
    session: SessionRecord,
    rows: Sequence[ThreadRow],
    *,
    now: datetime,
    status: Redacted,
    height: int,
    alert: Sequence[Redacted] = (),
) -> Group:
    """Build the `open` screen: session header, as many threads as fit in height, status line;
    `alert`: a problem that lasts (the store takes no writes) and its fix, a line each."""
    tz = zone(session.timezone)
    title = Text()
    title.append(clean(session.title, single_line=True, limit=80), style="bold")
    title.append(" · ")
    title.append(clean(session.official, single_line=True, limit=NAME_CHARS))

    left = session.end - now
    waiting = sum(1 for r in rows if r.waiting_since is not None)
    info = Text(style="dim")
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
            len(rows),
        ).format(count=len(rows), waiting=waiting)
    )

    footer = citizen_text(status, single_line=True, style="dim")
    top = [title, info]
    for text in alert:
        # One line each whatever the width, so the table below knows how much room it has.
        line = citizen_text(text, single_line=True, style="bold red")
        line.no_wrap, line.overflow = True, "ellipsis"
        top.append(line)
    if not rows:
        body: RenderableType = Text(_("No messages yet."), style="dim")
    else:
        room = max(1, height - _LIVE_CHROME_LINES - (len(top) - 2))
        # When rows are cut, the '… and N more' row needs a line of its own.
        fit = room if len(rows) <= room else max(1, room - 1)
        body = threads_table(rows, now=now, tz=tz, max_rows=fit)
    return Group(*top, body, footer)
