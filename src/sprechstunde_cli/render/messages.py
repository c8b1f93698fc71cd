"""One thread's messages (`show`), one line per message (`tail`), and a sandbox citizen's phone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from sprechstunde_cli.domain.messages import MediaInfo, MessageRecord
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import hhmm, media_label
from sprechstunde_cli.render.message_lines import thread_parts
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.render.tail_line import NAME_CHARS, TAIL_LINE_CHARS, tail_pieces

if TYPE_CHECKING:
    from sprechstunde_cli.providers.local.server import PhoneEntry


def thread_view(
    number: int,
    citizen: str,
    messages: Sequence[MessageRecord],
    *,
    tz: tzinfo,
    left: bool = False,
) -> Group:
    """Build `show`: every message of one thread, with time, sender, body and media."""
    rendered: list[RenderableType] = []
    for style, pieces, body in thread_parts(number, citizen, messages, tz=tz, left=left):
        text = Text(style=style)
        for piece, piece_style in pieces:
            text.append(piece, style=piece_style or None)
        rendered.append(Padding(text, (0, 0, 0, 2), expand=False) if body else text)
    return Group(*rendered)


def message_line(
    msg: MessageRecord, citizen: str, *, tz: tzinfo, limit: int | None = TAIL_LINE_CHARS
) -> Text:
    """Build one `tail` line: `HH:MM #3 ← anna: text…`, outgoing as `HH:MM #3 → office: …`."""
    line = Text()
    for text, style in tail_pieces(msg, citizen, tz=tz, limit=limit):
        line.append(text, style=style or None)
    return line


def _phone_entry(entry: PhoneEntry, tz: tzinfo | None) -> Text:
    line = Text(hhmm(entry.at, tz) + "  ", style="dim")
    # `incoming` is from the phone's side: True means the office sent it.
    line.append(_("office: ") if entry.incoming else _("you: "), style="bold")
    if entry.type == "withdrawn":
        line.append(_("message deleted"), style="italic")
        return line
    if entry.type == "leave":
        line.append(_("left the chat"), style="italic")
        return line
    if entry.type == "call":
        kind = clean(entry.kind, single_line=True, limit=16)
        state = clean(entry.call_state or _("unknown"), single_line=True, limit=24)
        line.append(_("{kind} call, {state}").format(kind=kind, state=state), style="italic")
        return line
    try:
        kind = MessageKind(entry.kind)
    except ValueError:
        kind = MessageKind.FILE
    if kind is not MessageKind.TEXT:
        line.append(f"[{media_label(kind, MediaInfo(mime=entry.mime or '', size=entry.size))}]")
        if entry.text:
            line.append(" ")
    line.append(clean(entry.text))
    return line


def phone_view(handle: str, entries: Sequence[PhoneEntry], *, tz: tzinfo | None = None) -> Group:
    """Build `sandbox inbox`: what this citizen's phone shows, both ways, calls included."""
    head = Text(_("Phone of "), style="bold")
    head.append(clean(handle, single_line=True, limit=NAME_CHARS))
    if not entries:
        return Group(head, Text(_("Nothing yet."), style="dim"))
    return Group(head, *(_phone_entry(e, tz) for e in entries))
