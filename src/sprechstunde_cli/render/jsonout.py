"""Every JSON shape the commands print for scripts, and the one way to print it safely.

`dumps` escapes everything that could steer a terminal, so a line is safe to print even when
it carries citizen text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sprechstunde_cli.domain.handoffs import Handoff
    from sprechstunde_cli.domain.messages import MessageRecord
    from sprechstunde_cli.domain.receipt import Statistics
    from sprechstunde_cli.domain.rows import ThreadRow
    from sprechstunde_cli.providers.local.server import PhoneEntry
    from sprechstunde_cli.services.plan import CalendarRow


def dumps(obj: Mapping[str, Any]) -> str:
    import json

    # ensure_ascii turns every non-ASCII character (bidi overrides, C1 controls) into an
    # escape, and json escapes C0; DEL is ASCII and left alone, so it is escaped here.
    return json.dumps(obj, ensure_ascii=True, sort_keys=True).replace("\x7f", "\\u007f")


def thread(row: ThreadRow) -> dict[str, Any]:
    """`threads --json`: one thread."""
    return {
        "thread": row.number,
        "citizen": row.citizen,
        "waiting_since": row.waiting_since.isoformat() if row.waiting_since else None,
        "unread": row.unread,
        "claimed_by": row.claimed_by,
        "answered": row.answered,
        "last_kind": row.last_kind.value if row.last_kind else None,
        "last": row.last_line,
        "last_withdrawn": row.last_withdrawn,
        "left": row.left,
    }


def message_event(
    session_id: str, citizen: str, msg: MessageRecord, event: str = "message"
) -> dict[str, Any]:
    """`tail --json`: one message, in or out (`event` "message"); or a citizen's later change
    to one already printed: "withdrawal" (its text and media are gone) or "edit" (the text is
    the new version)."""
    media = msg.media
    return {
        "event": event,
        "withdrawn": msg.withdrawn,
        "edited": msg.edited,
        "session": session_id,
        "thread": msg.thread,
        "id": msg.id,
        "direction": msg.direction.value,
        "kind": msg.kind.value,
        "purpose": msg.purpose.value if msg.purpose else None,
        "operator": msg.operator,
        "at": msg.at.isoformat(),
        "citizen": citizen,
        "text": msg.body,
        "media": None
        if media is None
        else {
            "mime": media.mime,
            "size": media.size,
            "width": media.width,
            "height": media.height,
            "duration": media.duration,
            "name": media.name,
        },
    }


def handoff(h: Handoff, masked_email: str) -> dict[str, Any]:
    """`followup --list --json`: one hand-off, its address masked."""
    return {
        "thread": h.thread,
        "department": h.department,
        "email": masked_email,
        "state": h.state,
        "attempts": h.attempts,
        "error": h.error,
    }


def phone_entry(e: PhoneEntry) -> dict[str, Any]:
    """`sandbox inbox --json`: one line on a sandbox citizen's phone."""
    return {
        "id": e.id,
        "type": e.type,
        "from_office": e.incoming,
        "kind": e.kind,
        "text": e.text,
        "at": e.at.isoformat(),
        "mime": e.mime,
        "size": e.size,
        "call_state": e.call_state,
        "read": e.read,
        "filename": e.filename,
    }


def status_entry(e: PhoneEntry) -> dict[str, Any]:
    """`sandbox status --json`: one public notice."""
    return {"id": e.id, "text": e.text, "at": e.at.isoformat()}


def calendar_row(row: CalendarRow) -> dict[str, Any]:
    """`schedule --json`: one date of the calendar."""
    entry, spec = row.entry, row.entry.spec
    return {
        "id": spec.id,
        "schedule": entry.schedule or None,
        "title": spec.title,
        "official": spec.official,
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "timezone": spec.timezone,
        "provider": spec.provider,
        "state": row.state,
        "cancelled": entry.cancelled,
        "holiday": entry.holiday or None,
        "moved": entry.moved,
    }


def statistics(figures: Statistics) -> dict[str, Any]:
    """`stats --json`."""
    return {
        "session": figures.session,
        "state": figures.state.value,
        "threads": figures.threads,
        "answered_live": figures.answered_live,
        "handed_off": figures.handed_off,
        "late_messages": figures.late_messages,
        "withdrawn_by_citizens": figures.withdrawn,
        "edited_by_citizens": figures.edited,
        "unshowable": figures.unshowable,
        "calls_refused": figures.calls_refused,
        "messages_in": figures.messages_in,
        "photos": figures.photos,
        "voice_notes": figures.voice_notes,
        "median_wait_seconds": figures.median_wait_seconds,
        "topics": dict(figures.topics),
        "between_hours": figures.between_hours,
    }
