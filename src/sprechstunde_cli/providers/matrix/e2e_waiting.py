"""Encrypted messages waiting for their room key, kept (as the ciphertext events they are) in a
0600 file beside the crypto store, so a restarted `open` still shows them when the key comes."""

from __future__ import annotations

import json
from pathlib import Path

from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import JSON
from sprechstunde_cli.system.files import write_private


class Waiting:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: dict[str, tuple[str, JSON]] = self._load()  # event id → (room id, event)
        self._since: dict[str, float] = {}  # event id → first seen by this process (monotonic)

    def _load(self) -> dict[str, tuple[str, JSON]]:
        try:
            saved = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}  # none yet, or damaged: only the late keys of earlier runs are lost
        found: dict[str, tuple[str, JSON]] = {}
        for event_id, entry in events.obj(saved).items():
            room_id, raw = events.obj(entry).get("room"), events.obj(entry).get("event")
            if isinstance(room_id, str) and isinstance(raw, dict):
                found[event_id] = (room_id, raw)
        return found

    def _save(self) -> None:
        entries = {k: {"room": room, "event": raw} for k, (room, raw) in self.events.items()}
        write_private(self.path, json.dumps(entries).encode())

    def add(self, event_id: str, room_id: str, raw: JSON, now: float) -> None:
        if event_id not in self.events:
            self.events[event_id] = (room_id, dict(raw))
            self._save()
        self._since.setdefault(event_id, now)

    def drop(self, event_id: str) -> None:
        if self.events.pop(event_id, None) is not None:
            self._save()

    def drop_room(self, room_id: str) -> None:
        self.events = {k: v for k, v in self.events.items() if v[0] != room_id}
        self._save()

    def overdue(self, now: float, wait: float) -> list[tuple[str, JSON]]:
        """Events still without a key `wait` seconds after this process first saw them, each
        once (they keep waiting: a key that comes later still shows them)."""
        found = []
        for event_id, (room_id, raw) in self.events.items():
            first = self._since.get(event_id)
            if first is not None and now - first >= wait:
                found.append((room_id, raw))
                self._since.pop(event_id)
        return found
