"""One thread's messages (`show`), one line per message (`tail`), and a sandbox citizen's phone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from sprechstunde_cli.domain.model import Direction, MediaInfo, MessageKind, MessageRecord
from sprechstunde_cli.i18n import N_, _
from sprechstunde_cli.render.console import citizen_text
from sprechstunde_cli.render.formats import (
    EDITED,
    PURPOSE_WORDS,
    WITHDRAWN,
    hhmm,
    media_label,
    word,
)
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.render.tail_line import (
    CITIZEN_MARK,
    NAME_CHARS,
    OFFICE_MARK,
    TAIL_LINE_CHARS,
    tail_pieces,
)

if TYPE_CHECKING:
    from sprechstunde_cli.providers.local.server import PhoneEntry

LEFT = N_("The citizen left the chat or blocked the office: answers cannot reach them.")


def _sender_label(msg: MessageRecord, citizen: str) -> Text:
    # The arrow is ours and comes first: no name a citizen picks can look like the office's line,
    # with or without colour.
    if msg.direction is Direction.IN:
        label = Text(f"{CITIZEN_MARK} ", style="bold")
        label.append(clean(citizen, single_line=True, limit=NAME_CHARS))
        return label
    details = [
        d for d in (msg.operator, word(PURPOSE_WORDS, msg.purpose) if msg.purpose else None) if d
    ]
    label_text = (
        _("{mark} office ({details})").format(mark=OFFICE_MARK, details=", ".join(details))
        if details
        else _("{mark} office").format(mark=OFFICE_MARK)
    )
    return citizen_text(label_text, single_line=True, limit=80, style="bold cyan")


def thread_view(
    number: int,
    citizen: str,
    messages: Sequence[MessageRecord],
    *,
    tz: tzinfo,
    left: bool = False,
) -> Group:
    """Build `show`: every message of one thread, with time, sender, body and media."""
    head = Text(_("Thread #{number} · ").format(number=number), style="bold")
    head.append(clean(citizen, single_line=True, limit=NAME_CHARS))
    parts: list[RenderableType] = [head]
    if left:
        parts.append(Text(_(LEFT), style="bold yellow"))
    if not messages:
        parts.append(Text(_("No messages."), style="dim"))
    for msg in messages:
        line = Text(hhmm(msg.at, tz) + "  ", style="dim")
        line.append_text(_sender_label(msg, citizen))
        if msg.edited:
            line.append(f" ({EDITED})", style="italic")
        parts.append(Text(""))
        parts.append(line)
        parts.append(Padding(_body(msg), (0, 0, 0, 2), expand=False))
    return Group(*parts)


def _body(msg: MessageRecord) -> Text:
    body = Text()
    if msg.withdrawn:
        body.append(f"[{WITHDRAWN}]", style="italic dim")
        return body
    if msg.media is not None or msg.kind is not MessageKind.TEXT:
        body.append(f"[{media_label(msg.kind, msg.media)}]", style="cyan")
        if msg.media is not None and msg.media.name:
            body.append(" ")
            body.append(clean(msg.media.name, single_line=True, limit=NAME_CHARS * 2))
        if msg.media is not None and msg.media.path:
            body.append(" ")
            body.append(clean(msg.media.path, single_line=True), style="underline")
        if msg.body:
            body.append("\n")
    body.append(clean(msg.body))
    return body


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
