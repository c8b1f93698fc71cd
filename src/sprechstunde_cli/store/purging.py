"""SQL for the purge: sealed needles, the receipt, counts taken before anything is deleted."""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from datetime import datetime
from typing import Any

from sprechstunde_cli.domain.receipt import SENT_WITHOUT_ID, PurgeProgress, Receipt, is_receipt
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
        # Sent, but the messenger named no id: the purge cannot delete or check them there.
        SENT_WITHOUT_ID: one(
            "SELECT COUNT(*) FROM messages WHERE session_id = ? AND direction = 'out'"
            " AND provider_id IS NULL"
        ),
    }


def wait_seconds(store: Store, session_id: str) -> list[float]:
    rows = store.conn.execute(
        "SELECT seconds FROM wait_samples WHERE session_id = ? ORDER BY seconds", (session_id,)
    ).fetchall()
    return [float(r[0]) for r in rows]


def load_progress(store: Store, session_id: str) -> PurgeProgress:
    """How far the purge of this session got (nothing yet: an empty progress). A receipt saved
    by a purge killed just before its last step counts as a verified purge."""
    body = _body(store, session_id)
    if body is None:
        return PurgeProgress()
    if not is_receipt(body):
        return PurgeProgress.from_json(body)
    receipt = Receipt.from_json(body)
    return PurgeProgress(
        counts=receipt.counts,
        verified=True,
        providers=receipt.providers,
        handoff_exports=receipt.handoff_exports,
    )


def save_progress(store: Store, session_id: str, progress: PurgeProgress, now: datetime) -> None:
    _save(store, session_id, progress.to_json(), now)


def load_receipt(store: Store, session_id: str) -> Receipt | None:
    """The finished receipt, or None while the session is not purged."""
    body = _body(store, session_id)
    return Receipt.from_json(body) if body is not None and is_receipt(body) else None


def save_receipt(store: Store, session_id: str, receipt: Receipt, now: datetime) -> None:
    _save(store, session_id, receipt.to_json(), now)


def _save(store: Store, session_id: str, body: dict[str, Any], now: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO receipts VALUES (?, ?, ?)",
            (session_id, json.dumps(body, ensure_ascii=False, sort_keys=True), iso(now)),
        )


def _body(store: Store, session_id: str) -> dict[str, Any] | None:
    row = store.conn.execute(
        "SELECT body FROM receipts WHERE session_id = ?", (session_id,)
    ).fetchone()
    return dict(json.loads(row[0])) if row else None


def mark_ended(store: Store, session_id: str, now: datetime) -> None:
    with store.write() as conn:
        conn.execute("UPDATE sessions SET purge_ended_at = ? WHERE id = ?", (iso(now), session_id))


def note_export(store: Store, session_id: str, path: str, now: datetime) -> None:
    """Remember a hand-off export file so the receipt can tell the operator to take it."""
    progress = load_progress(store, session_id)
    exports = tuple(sorted({*progress.handoff_exports, path}))
    save_progress(store, session_id, replace(progress, handoff_exports=exports), now)
