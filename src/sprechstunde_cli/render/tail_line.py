"""One `tail` line as pieces of text and style: `render/messages.py` makes it a Rich Text for a
terminal, and into a pipe `tail` writes the text alone, without loading Rich."""

from __future__ import annotations

from datetime import tzinfo

from sprechstunde_cli.domain.messages import MessageRecord
from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import EDITED, WITHDRAWN, hhmm, media_label
from sprechstunde_cli.render.sanitize import clean

TAIL_LINE_CHARS = 200
NAME_CHARS = 40
# Who wrote a line, marked by us before any name: in from a citizen, out from the office.
CITIZEN_MARK = "←"
OFFICE_MARK = "→"

# (text, Rich style; "" for none)
Pieces = list[tuple[str, str]]


def tail_pieces(
    msg: MessageRecord, citizen: str, *, tz: tzinfo, limit: int | None = TAIL_LINE_CHARS
) -> Pieces:
    """`HH:MM #3 ← anna: text…`, outgoing as `HH:MM #3 → office: …`."""
    pieces: Pieces = [(f"{hhmm(msg.at, tz)} #{msg.thread} ", "")]
    if msg.direction is Direction.OUT:
        pieces.append((_("{mark} office").format(mark=OFFICE_MARK), "cyan"))
    else:
        pieces.append((f"{CITIZEN_MARK} ", ""))
        pieces.append((clean(citizen, single_line=True, limit=NAME_CHARS), "bold"))
    pieces.append((": ", ""))
    if msg.withdrawn:
        pieces.append((f"[{WITHDRAWN}]", "italic"))
        return pieces
    if msg.edited:
        pieces.append((f"[{EDITED}] ", "italic"))
    if msg.media is not None or msg.kind is not MessageKind.TEXT:
        pieces.append((f"[{media_label(msg.kind, msg.media)}]", "cyan"))
        if msg.body:
            pieces.append((" ", ""))
    pieces.append((clean(msg.body, single_line=True, limit=limit), ""))
    return pieces
