"""What the purge asks of the outbox: the office's messages of one purpose the messenger took,
and how many it never took.

Apart from `outbox.py` because only the purge waits on them: `reply` and `open` write and lease
rows without creating `SentRow`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.domain.model import Purpose
from sprechstunde_cli.store.outbox import FAILED, SENT
from sprechstunde_cli.store.store import Store


@dataclass(frozen=True)
class SentRow:
    """An office message the messenger took: its chat, its id there, and when it was sent."""

    chat: str
    provider_id: str
    sent_at: datetime


def sent_of(store: Store, session_id: str, purpose: Purpose) -> list[SentRow]:
    """The messages of one purpose the messenger took, with the id it gave them."""
    rows = store.conn.execute(
        "SELECT chat, provider_id, sent_at FROM outbox WHERE session_id = ? AND purpose = ?"
        " AND state = ? AND provider_id IS NOT NULL ORDER BY id",
        (session_id, purpose.value, SENT),
    ).fetchall()
    return [SentRow(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]


def failed_count(store: Store, session_id: str, purpose: Purpose) -> int:
    row = store.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE session_id = ? AND purpose = ? AND state = ?",
        (session_id, purpose.value, FAILED),
    ).fetchone()
    return int(row[0])
