"""Encrypted timelines as the office reads them: each `m.room.encrypted` event replaced by what
its sender wrote, before the events are converted; a message whose room key came late becomes
an edit of the note it was shown as, so it appears in its thread where it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.providers.base.events import (
    Event,
    InboundEdit,
    InboundMessage,
    InboundUnreadable,
)
from sprechstunde_cli.providers.matrix import events

if TYPE_CHECKING:
    # Annotations only: nio loads when the device is started, not with this module.
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice


def decrypted(
    device: OfficeDevice, room_id: str, state: list[dict[str, Any]], raw: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The timeline with every event the device can decrypt in clear; the rest stay encrypted
    (shown as a note, their key asked for)."""
    device.note_state(room_id, state + raw)
    shown = []
    for event in raw:
        # Our own messages are skipped later anyway; another process's key is not ours to ask.
        theirs = event.get("sender") != device.user_id
        encrypted = event.get("type") == "m.room.encrypted" and theirs
        clear = device.decrypt(room_id, event) if encrypted else None
        shown.append(clear if clear is not None else event)
    return shown


def late(device: OfficeDevice, name: Callable[[str, str], str], wait: float) -> list[Event]:
    """Edits that put the text of messages whose key arrived since in place of their note;
    for a message still unreadable after `wait` seconds, the ask to send it again."""
    found: list[Event] = []
    for room_id, raw in device.overdue(wait):
        at = events.sent_at(raw)
        event_id = events.text(raw.get("event_id"))
        if at is not None and event_id:
            found.append(InboundUnreadable(event_id, room_id, at))
    for room_id, clear in device.recovered():
        sender = events.text(clear.get("sender"))
        converted = events.convert(room_id, clear, device.user_id, name(room_id, sender))
        if isinstance(converted, InboundMessage):
            text = converted.text
            if converted.media is not None:
                # The note cannot become a file afterwards: name what it was.
                text = f"[{converted.kind.value}: {converted.media.filename}] {text}".strip()
            found.append(InboundEdit(converted.provider_id, room_id, converted.sent_at, text))
        elif converted is not None:
            found.append(converted)
    return found
