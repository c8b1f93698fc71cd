"""`show` (one thread's messages) as parts of text and style, and as plain lines.

`render/messages.py` makes Rich's Text and Padding of these parts for a terminal; into a pipe or
a file, where Rich would print no styles, `message_lines` writes the same lines without
importing Rich's console (which costs more than all of `show`'s own work).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from itertools import pairwise

from sprechstunde_cli.domain.messages import MessageRecord
from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.i18n import N_, _
from sprechstunde_cli.render.formats import EDITED, PURPOSE_WORDS, WITHDRAWN, hhmm, media_label
from sprechstunde_cli.render.formats import word as purpose_word
from sprechstunde_cli.render.plain import PIPE_WIDTH, PlainLines, cells, narrow
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.render.tail_line import CITIZEN_MARK, NAME_CHARS, OFFICE_MARK, Pieces

LEFT = N_("The citizen left the chat or blocked the office: answers cannot reach them.")
# An office label may quote an operator's name from the config: cut like a citizen's.
OFFICE_LABEL_CHARS = 80
# Rich's Padding around each body: two cells on the left, none elsewhere.
INDENT = "  "

# One part of the view: its base style, its pieces (text, style; "" for none), and whether it
# is a message body, which Rich draws indented and with each line padded to the widest.
Part = tuple[str, Pieces, bool]

# What Rich would change in a text (it strips some controls, expands tabs, breaks lines at more
# than a newline): the sanitizer leaves none of them, and where one is all the same, Rich prints.
# (Only Latin-1 in the class: a pattern with more takes ten times as long to compile, at startup.)
_RICH_CHANGES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_RICH_BREAKS = ("\u2028", "\u2029")
# The only characters whose width depends on their neighbour (Rich's `cell_len`).
_JOINERS = ("\u200d", "\ufe0f")
# Patterns only a line with marks or joiners needs: compiled (and cached by `re`) on first use.
# A word as Rich's wrapping sees it: leading space, the word, trailing space.
_WORD = r"\s*\S+\s*"
_TRAILING_SPACE = r"\s+$"


def thread_parts(
    number: int,
    citizen: str,
    messages: Sequence[MessageRecord],
    *,
    tz: tzinfo,
    left: bool = False,
) -> list[Part]:
    """`show`: the heading, then per message a blank line, `HH:MM  ← name` and the body."""
    name = clean(citizen, single_line=True, limit=NAME_CHARS)
    head = _("Thread #{number} · ").format(number=number)
    parts: list[Part] = [("bold", [(head, ""), (name, "")], False)]
    if left:
        parts.append(("bold yellow", [(_(LEFT), "")], False))
    if not messages:
        parts.append(("dim", [(_("No messages."), "")], False))
    # A thread has a few senders and hundreds of messages: each label is made once.
    labels: dict[tuple[Direction, str | None, str | None], tuple[str, str]] = {}
    edited = f" ({EDITED})"
    for msg in messages:
        key = (msg.direction, msg.operator, msg.purpose)
        label = labels.get(key)
        if label is None:
            label = labels[key] = _sender(msg, name)
        line: Pieces = [(hhmm(msg.at, tz) + "  ", ""), label]
        if msg.edited:
            line.append((edited, "italic"))
        parts.extend((("", [], False), ("dim", line, False), ("", _body(msg), True)))
    return parts


def _sender(msg: MessageRecord, name: str) -> tuple[str, str]:
    # The arrow is ours and comes first: no name a citizen picks can look like the office's line,
    # with or without colour.
    if msg.direction is Direction.IN:
        return f"{CITIZEN_MARK} {name}", "bold"
    purpose = purpose_word(PURPOSE_WORDS, msg.purpose) if msg.purpose else None
    details = [d for d in (msg.operator, purpose) if d]
    label = (
        _("{mark} office ({details})").format(mark=OFFICE_MARK, details=", ".join(details))
        if details
        else _("{mark} office").format(mark=OFFICE_MARK)
    )
    return clean(label, single_line=True, limit=OFFICE_LABEL_CHARS), "bold cyan"


def _body(msg: MessageRecord) -> Pieces:
    if msg.withdrawn:
        return [(f"[{WITHDRAWN}]", "italic dim")]
    pieces: Pieces = []
    if msg.media is not None or msg.kind is not MessageKind.TEXT:
        pieces.append((f"[{media_label(msg.kind, msg.media)}]", "cyan"))
        if msg.media is not None and msg.media.name:
            pieces.append((" ", ""))
            pieces.append((clean(msg.media.name, single_line=True, limit=NAME_CHARS * 2), ""))
        if msg.media is not None and msg.media.path:
            pieces.append((" ", ""))
            pieces.append((clean(msg.media.path, single_line=True), "underline"))
        if msg.body:
            pieces.append(("\n", ""))
    pieces.append((clean(msg.body), ""))
    return pieces


def message_lines(
    number: int,
    citizen: str,
    messages: Sequence[MessageRecord],
    *,
    tz: tzinfo,
    left: bool = False,
    width: int = PIPE_WIDTH,
) -> PlainLines | None:
    """`show` as the lines Rich prints without styles on a console `width` wide (into a pipe:
    `PIPE_WIDTH`, never wrapped); None where Rich would change more than that (then it prints)."""
    lines: list[str] = []
    for _style, pieces, body in thread_parts(number, citizen, messages, tz=tz, left=left):
        text = pieces[0][0] if len(pieces) == 1 else "".join(piece for piece, _ in pieces)
        if not body:
            lines.append(text)
        elif narrow(text):  # one line of one-cell characters (most bodies): nothing to pad
            if text:
                lines.append(INDENT + text)
        else:
            padded = padded_body(pieces, text)
            if padded is None:
                return None
            lines.extend(padded)
    # A character takes at most two cells: a line half as wide as the console is never wrapped
    # or cut (nor is a body: each of its lines is as long as its widest).
    shown = "".join(lines)
    if _RICH_CHANGES.search(shown) or any(c in shown for c in _RICH_BREAKS):
        return None
    if 2 * max(map(len, lines)) > width:
        return None
    return PlainLines(tuple(lines))


def padded_body(pieces: Pieces, text: str) -> list[str] | None:
    """A body (`text`, made of `pieces`) as Rich's Padding draws it unwrapped: each line
    indented, and padded with spaces to the widest line's cells (a body of no width draws
    nothing); None where Rich would wrap or cut a line."""
    rows = text.split("\n")
    widest = max(len(row) if narrow(row) else cells(row) for row in rows)
    if widest == 0:
        return []
    if any(not narrow(row) and not _one_line(row, widest) for row in rows):
        return None
    lines = []
    for row, size in _measured(pieces, rows, widest):
        if size > widest:
            return None  # Rich would cut the line
        lines.append(INDENT + row + " " * (widest - size))
    return lines


def _measured(pieces: Pieces, rows: Sequence[str], widest: int) -> list[tuple[str, int]]:
    """Each line as Rich keeps it and its cells as Rich counts them to pad it.

    Rich drops the trailing spaces of a line longer than `widest` in characters (a line with
    marks or joiners), then pads it to `widest` cells again, counting styled piece by styled
    piece: that is the whole line's count, unless a joiner stands at a piece's edge."""
    edges: set[int] = set()
    offset = 0
    for piece, style in pieces:
        if style and piece:
            edges.update((offset, offset + len(piece)))
        offset += len(piece)
    measured: list[tuple[str, int]] = []
    start = 0
    for row in rows:
        next_start = start + len(row) + 1
        if narrow(row):  # as many cells as characters: nothing to drop, nothing joins
            measured.append((row, len(row)))
            start = next_start
            continue
        if len(row) > widest and (spaces := re.search(_TRAILING_SPACE, row)):
            row = row[: len(row) - min(len(spaces.group()), len(row) - widest)]
        inside = sorted(edge - start for edge in edges if start < edge < start + len(row))
        if inside and _joins(row):
            cuts = [0, *inside, len(row)]
            measured.append((row, sum(cells(row[a:b]) for a, b in pairwise(cuts))))
        else:
            measured.append((row, cells(row)))
        start = next_start
    return measured


def _one_line(row: str, widest: int) -> bool:
    """Whether Rich's word wrap keeps `row` whole at `widest` cells: it measures word by word,
    which only a character whose width depends on its neighbour can make differ."""
    if not _joins(row):
        return True
    offset = 0
    for found in re.finditer(_WORD, row):
        word = found.group()
        if offset + cells(word.rstrip()) > widest:
            return False
        offset += cells(word)
    return True


def _joins(text: str) -> bool:
    return any(joiner in text for joiner in _JOINERS)
