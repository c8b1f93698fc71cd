"""SQL for the purge: sealed needles, the receipt, counts taken before anything is deleted."""

from __future__ import annotations

import json
import struct
from datetime import datetime
from typing import Any

from sprechstunde_cli.store.base import iso
from sprechstunde_cli.store.store import Store


def mark_started(store: Store, session_id: str, now: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE sessions SET purge_started_at = COALESCE(purge_started_at, ?) WHERE id = ?",
            (iso(now), session_id),
        )


def times(store: Store, session_id: str) -> tuple[str | None, str | None]:
    row = store.conn.execute(
        "SELECT purge_started_at, purge_ended_at FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def save_needles(store: Store, session_id: str, needles: set[bytes]) -> None:
    packed = b"".join(struct.pack(">I", len(n)) + n for n in sorted(needles))
    with store.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO purge_needles VALUES (?, ?)",
            (session_id, store.keys.seal(session_id, packed, "needles")),
        )


def load_needles(store: Store, session_id: str) -> set[bytes] | None:
    row = store.conn.execute(
        "SELECT blob FROM purge_needles WHERE session_id = ?", (session_id,)
    ).fetchone()
    if row is None:
        return None
    packed = store.keys.unseal(session_id, bytes(row[0]), "needles")
    needles: set[bytes] = set()
    offset = 0
    while offset < len(packed):
        (size,) = struct.unpack_from(">I", packed, offset)
        needles.add(packed[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return needles


def drop_needles(store: Store, session_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM purge_needles WHERE session_id = ?", (session_id,))


def content_counts(store: Store, session_id: str) -> dict[str, int]:
    """Content-free counts of what the session holds right now."""
    conn = store.conn

    def one(sql: str) -> int:
        return int(conn.execute(sql, (session_id,)).fetchone()[0] or 0)

    return {
        "threads": one("SELECT COUNT(*) FROM threads WHERE session_id = ?"),
        "answered_threads": one(
            "SELECT COUNT(*) FROM threads WHERE session_id = ? AND answered = 1"
        ),
        "messages_in": one(
            "SELECT COUNT(*) FROM messages WHERE session_id = ? AND direction = 'in'"
        ),
        "messages_out": one(
            "SELECT COUNT(*) FROM messages WHERE session_id = ? AND direction = 'out'"
        ),
        "photos": one("SELECT COUNT(*) FROM messages WHERE session_id = ? AND kind = 'image'"),
        "voice_notes": one("SELECT COUNT(*) FROM messages WHERE session_id = ? AND kind = 'voice'"),
        "files": one("SELECT COUNT(*) FROM messages WHERE session_id = ? AND kind = 'file'"),
        "media_bytes": one("SELECT SUM(media_size) FROM messages WHERE session_id = ?"),
    }


def wait_seconds(store: Store, session_id: str) -> list[float]:
    rows = store.conn.execute(
        "SELECT seconds FROM wait_samples WHERE session_id = ? ORDER BY seconds", (session_id,)
    ).fetchall()
    return [float(r[0]) for r in rows]


def save_receipt(store: Store, session_id: str, body: dict[str, Any], now: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO receipts VALUES (?, ?, ?)",
            (session_id, json.dumps(body, ensure_ascii=False, sort_keys=True), iso(now)),
        )


def receipt(store: Store, session_id: str) -> dict[str, Any] | None:
    row = store.conn.execute(
        "SELECT body FROM receipts WHERE session_id = ?", (session_id,)
    ).fetchone()
    return dict(json.loads(row[0])) if row else None


def mark_ended(store: Store, session_id: str, now: datetime) -> None:
    with store.write() as conn:
        conn.execute("UPDATE sessions SET purge_ended_at = ? WHERE id = ?", (iso(now), session_id))


def note_export(store: Store, session_id: str, path: str, now: datetime) -> None:
    """Remember a hand-off export file so the receipt can tell the operator to take it."""
    draft = receipt(store, session_id) or {}
    draft["handoff_exports"] = sorted({*draft.get("handoff_exports", []), path})
    save_receipt(store, session_id, draft, now)
