"""The cells of the thread table as text and style, and the table as plain lines.

`render/threads.py` makes the Rich table of these pieces for a terminal; where Rich would print
no styles, `threads_lines` gives the same lines without importing Rich's console at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.i18n import N_, _
from sprechstunde_cli.render.formats import KIND_WORDS, WITHDRAWN, hhmm, span_text
from sprechstunde_cli.render.plain import PlainLines, cells, fit, narrow
from sprechstunde_cli.render.sanitize import clean

LAST_LINE_CHARS = 60
CITIZEN_CHARS = 32
CLAIMED_CHARS = 16

HEADERS = ("#", N_("citizen"), N_("waiting"), N_("unread"), N_("claimed"), N_("last"))
RIGHT_ALIGNED = frozenset({0, 3})
GAP = "  "
RULE = "─"

# One cell: its pieces of text, each with its Rich style ("" for none).
Cell = list[tuple[str, str]]


# A waiting time's words by what they are made of (minutes waited, hour and minute of the local
# time since when), for the rows of one table: most rows of a busy hour share them with another
# row, and a look-up costs a fifth of formatting them. One per table, never kept: the clock, the
# zone and the operator's language are the same for all its rows.
WaitingWords = dict[tuple[int, int, int], str]


def _waiting(row: ThreadRow, now: datetime, tz: tzinfo, words: WaitingWords) -> Cell:
    since = row.waiting_since
    if since is None:
        return [("—", "dim")]
    local = since.astimezone(tz)
    # span_text's minutes and hhmm's hour and minute (tests/render/test_thread_lines.py holds
    # them to the words formatted anew).
    key = (int((now - since).total_seconds() // 60), local.hour, local.minute)
    text = words.get(key)
    if text is None:
        text = words[key] = _("{span} since {hhmm}").format(
            span=span_text(now - since), hhmm=hhmm(since, tz)
        )
    return [(text, "")]


def _last(row: ThreadRow) -> Cell:
    cell: Cell = []
    if row.left:
        cell.append((f"[{_('left the chat')}] ", "yellow"))
    if row.last_withdrawn:
        cell.append((f"[{WITHDRAWN}]", "italic dim"))
        return cell
    if row.last_direction is Direction.OUT:
        cell.append(("→ ", "dim"))
    if row.last_kind is not None and row.last_kind is not MessageKind.TEXT:
        cell.append((f"[{KIND_WORDS[row.last_kind]}]", "cyan"))
        if row.last_line:
            cell.append((" ", ""))
    cell.append((clean(row.last_line, single_line=True, limit=LAST_LINE_CHARS), ""))
    return cell


def row_cells(
    row: ThreadRow, now: datetime, tz: tzinfo, words: WaitingWords | None = None
) -> list[Cell]:
    """The row's cells; `words`: the waiting times the table's other rows have formatted."""
    claimed = clean(row.claimed_by, single_line=True, limit=CLAIMED_CHARS) if row.claimed_by else ""
    return [
        [(str(row.number), "")],
        [(clean(row.citizen, single_line=True, limit=CITIZEN_CHARS), "")],
        _waiting(row, now, tz, {} if words is None else words),
        [(str(row.unread) if row.unread else "", "bold")],
        [(claimed, "")],
        _last(row),
    ]


def is_dim(row: ThreadRow) -> bool:
    """Answered and read: the row steps back."""
    return row.answered and not row.unread


def plain(cell: Cell) -> str:
    # Most cells are one piece; `threads` at 2,000 threads joins 12,000 of them.
    return cell[0][0] if len(cell) == 1 else "".join([text for text, _style in cell])


def widths(texts: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width in cells over the header and the rows (as plain texts)."""
    return [max(cells(t[i]) for t in [headers(), *texts]) for i in range(len(HEADERS))]


def line_pieces(row: Sequence[Cell], column_widths: Sequence[int]) -> Cell:
    """One aligned line: numbers right, the rest left, two spaces between, none after the last."""
    pieces: Cell = []
    last = len(row) - 1
    for index, (cell, width) in enumerate(zip(row, column_widths, strict=True)):
        gap = " " * (width - cells(plain(cell)))
        if index in RIGHT_ALIGNED:
            pieces.append((gap, ""))
        pieces.extend(cell)
        if index != last:
            pieces.append((("" if index in RIGHT_ALIGNED else gap) + GAP, ""))
    return pieces


def header_cells() -> list[Cell]:
    return [[(h, "")] for h in headers()]


def headers() -> list[str]:
    """The column headers in the operator's language."""
    return [_(h) for h in HEADERS]


def more_words(hidden: int) -> str:
    return _("… and {hidden} more").format(hidden=hidden)


def more_line(hidden: int, column_widths: Sequence[int]) -> str:
    return " " * (column_widths[0] + len(GAP)) + more_words(hidden)


def threads_lines(
    rows: Sequence[ThreadRow], *, now: datetime, tz: tzinfo, width: int
) -> PlainLines:
    """The thread table of `threads` as the lines Rich prints without styles at `width`."""
    words: WaitingWords = {}
    texts = [headers(), *([plain(c) for c in row_cells(r, now, tz, words)] for r in rows)]
    # A row of narrow characters only (most rows) is measured by len(), after one look at it;
    # the others cell by cell, as Rich measures them.
    simple = [narrow("".join(row)) for row in texts]
    measured = {
        i: list(map(cells, texts[i])) for i, is_simple in enumerate(simple) if not is_simple
    }
    column_widths = _widths(
        [row for row, is_simple in zip(texts, simple, strict=True) if is_simple]
    )
    for sizes in measured.values():
        column_widths = list(map(max, column_widths, sizes))
    # A row of narrow characters is aligned by str.format, which pads by characters (one cell
    # each there) in one call instead of a loop of pieces; the others by their measured sizes.
    template = _template(column_widths)
    lines = [
        template.format(*row) if is_simple else _aligned(row, measured[i], column_widths)
        for i, (row, is_simple) in enumerate(zip(texts, simple, strict=True))
    ]
    # Rich measures a whole line (a joiner or a mark at a cell's edge joins its neighbour);
    # a line of narrow characters only is as long as its characters (the gaps are spaces).
    lengths = [
        len(line) if is_simple else cells(line)
        for line, is_simple in zip(lines, simple, strict=True)
    ]
    # Rich's table is as wide as its widest line, at most the terminal; each line is cut with
    # '…' or padded to that, and a rule of the same width sits under the header.
    table = min(width, max(lengths))
    shown = [
        _shown(line, length, table, is_simple)
        for line, length, is_simple in zip(lines, lengths, simple, strict=True)
    ]
    return PlainLines((shown[0], RULE * table, *shown[1:]))


def _shown(line: str, length: int, table: int, is_simple: bool) -> str:
    """`line` (`length` cells) padded to `table` cells, or cut to it with '…', as Rich does; a
    line of narrow characters is cut by characters, without another look at them."""
    if length <= table:
        return line + " " * (table - length)
    return (line[: table - 1] if is_simple else fit(line, table - 1)) + "…"


def _widths(narrow_rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width over rows of narrow characters: its longest text, column by column
    (zip and map run in C; a row by row list of sizes cost more than the rest of its line)."""
    if not narrow_rows:
        return [0] * len(HEADERS)
    return [max(map(len, column)) for column in zip(*narrow_rows, strict=True)]


def _template(column_widths: Sequence[int]) -> str:
    """`_aligned` as a format string, for rows whose characters are one cell each."""
    last = len(column_widths) - 1
    return GAP.join(
        "{}" if index == last else f"{{:{'>' if index in RIGHT_ALIGNED else '<'}{width}}}"
        for index, width in enumerate(column_widths)
    )


def _aligned(row: Sequence[str], sizes: Sequence[int], column_widths: Sequence[int]) -> str:
    """One aligned line: numbers right, the rest left, two spaces between, none after the last."""
    parts = []
    last = len(row) - 1
    for index, (text, size, column) in enumerate(zip(row, sizes, column_widths, strict=True)):
        gap = " " * (column - size)
        if index == last:
            parts.append(text)
        else:
            parts.append((gap + text if index in RIGHT_ALIGNED else text + gap) + GAP)
    return "".join(parts)
