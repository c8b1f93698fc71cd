"""Read receipts (`m.receipt`): which of the office's messages the citizens' clients have shown.

The purge waits for them before it deletes a room from the citizen's side
(services/purge/closing.py)."""

from __future__ import annotations

import json
from typing import Any


def receipts_filter(rooms: list[str]) -> str:
    """An initial sync of these rooms' read receipts only (Synapse hands out every room's
    current m.receipt in an initial sync), no timeline, state or presence."""
    body = {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "rooms": rooms,
            # Synapse leaves a room out of an initial sync whose timeline is cut to nothing;
            # one event keeps it in (and is not read).
            "timeline": {"limit": 1},
            "state": {"types": []},
            "ephemeral": {"types": ["m.receipt"]},
            "account_data": {"types": []},
        },
    }
    return json.dumps(body, separators=(",", ":"))


def read_events(body: dict[str, Any], me: str) -> set[str]:
    """The event ids someone other than `me` has a read receipt on (public or private), from a
    sync answer's joined rooms."""
    found: set[str] = set()
    joined = body.get("rooms", {}).get("join", {}) if isinstance(body.get("rooms"), dict) else {}
    for room in joined.values() if isinstance(joined, dict) else ():
        ephemeral = room.get("ephemeral", {}) if isinstance(room, dict) else {}
        for event in ephemeral.get("events", []) if isinstance(ephemeral, dict) else ():
            if not isinstance(event, dict) or event.get("type") != "m.receipt":
                continue
            content = event.get("content")
            for event_id, kinds in content.items() if isinstance(content, dict) else ():
                readers: set[str] = set()
                for kind in ("m.read", "m.read.private"):
                    users = kinds.get(kind) if isinstance(kinds, dict) else None
                    readers |= set(users) if isinstance(users, dict) else set()
                if readers - {me}:
                    found.add(str(event_id))
    return found
