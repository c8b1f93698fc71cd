"""The outbox: a row is written before anything is sent, and leased while it is being sent.

A lease instead of a lock lets `open` and `reply` share the outbox: whoever flips a row from
pending to sending owns it; if that process dies, the lease runs out and another one resumes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import MediaInfo, MessageKind, Purpose
from sprechstunde_cli.store.store import Store, iso
from sprechstunde_cli.system.redact import summary

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    session_id: str
    thread: int | None
    chat: str
    purpose: Purpose
    body: str
    key: str
    attempts: int
    operator: str | None
    media_kind: MessageKind | None
    media_mime: str | None
    media_path: str | None


def enqueue(
    conn: sqlite3.Connection,
    session_id: str,
    *,
    thread: int | None,
    chat: str,
    purpose: Purpose,
    body: str,
    key: str,
    now: datetime,
    operator: str | None = None,
    media: MediaInfo | None = None,
    media_kind: MessageKind | None = None,
) -> int | None:
    """Queue a message in the caller's transaction; None if `key` was queued before."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO outbox (session_id, thread, chat, purpose, body, media_kind,"
        " media_mime, media_path, key, state, next_at, operator, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            session_id,
            thread,
            chat,
            purpose.value,
            body,
            media_kind.value if media_kind else None,
            media.mime if media else None,
            media.path if media else None,
            key,
            PENDING,
            iso(now),
            operator,
            iso(now),
        ),
    )
    return int(cur.lastrowid) if cur.rowcount == 1 and cur.lastrowid else None


def lease(
    store: Store,
    session_id: str,
    now: datetime,
    seconds: float,
    *,
    only_id: int | None = None,
    limit: int = 50,
) -> list[OutboxItem]:
    """Take due rows (or one row) for sending; expired leases of dead processes count as due."""
    until = iso(now + timedelta(seconds=seconds))
    sql = (
        "SELECT * FROM outbox WHERE session_id = ? AND ((state = ? AND next_at <= ?)"
        " OR (state = ? AND lease_until < ?))"
    )
    params: tuple[object, ...] = (session_id, PENDING, iso(now), SENDING, iso(now))
    if only_id is not None:
        sql += " AND id = ?"
        params = (*params, only_id)
    with store.write() as conn:
        rows = conn.execute(sql + " ORDER BY id LIMIT ?", (*params, limit)).fetchall()
        for r in rows:
            conn.execute(
                "UPDATE outbox SET state = ?, lease_until = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (SENDING, until, r["id"]),
            )
    return [_item(r) for r in rows]


def complete(
    store: Store, item: OutboxItem, provider_id: str, now: datetime, media: MediaInfo | None = None
) -> None:
    """Record a sent message; the body moves to `messages`, the row keeps only the id."""
    with store.write() as conn:
        if item.thread is not None:
            store.add_outbound(
                conn,
                item.session_id,
                item.thread,
                provider_id=provider_id,
                purpose=item.purpose,
                body=item.body,
                at=now,
                operator=item.operator,
                kind=item.media_kind or MessageKind.TEXT,
                media=media,
            )
        conn.execute(
            "UPDATE outbox SET state = ?, sent_at = ?, provider_id = ?, body = '',"
            " lease_until = NULL, error = NULL WHERE id = ?",
            (SENT, iso(now), provider_id, item.id),
        )
        store.bump(conn, item.session_id, Counter.sent(item.purpose))


def retry_later(store: Store, item: OutboxItem, error: str, at: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE outbox SET state = ?, next_at = ?, lease_until = NULL, error = ? WHERE id = ?",
            (PENDING, iso(at), summary(error), item.id),
        )


def hand_back(store: Store, item: OutboxItem, error: str, at: datetime) -> None:
    """Return a leased row that was never tried (the server asked us to wait): no attempt used."""
    with store.write() as conn:
        conn.execute(
            "UPDATE outbox SET state = ?, next_at = ?, lease_until = NULL, error = ?,"
            " attempts = MAX(0, attempts - 1) WHERE id = ?",
            (PENDING, iso(at), summary(error), item.id),
        )


def give_up(store: Store, item: OutboxItem, error: str) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE outbox SET state = ?, lease_until = NULL, error = ? WHERE id = ?",
            (FAILED, summary(error), item.id),
        )


def counts(store: Store, session_id: str) -> dict[str, int]:
    rows = store.conn.execute(
        "SELECT state, COUNT(*) FROM outbox WHERE session_id = ? GROUP BY state", (session_id,)
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def state_of(store: Store, outbox_id: int) -> tuple[str, str | None]:
    row = store.conn.execute(
        "SELECT state, error FROM outbox WHERE id = ?", (outbox_id,)
    ).fetchone()
    return (row["state"], row["error"]) if row else (FAILED, "gone")


def _item(r: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=int(r["id"]),
        session_id=r["session_id"],
        thread=r["thread"],
        chat=r["chat"],
        purpose=Purpose(r["purpose"]),
        body=r["body"],
        key=r["key"],
        attempts=int(r["attempts"]) + 1,
        operator=r["operator"],
        media_kind=MessageKind(r["media_kind"]) if r["media_kind"] else None,
        media_mime=r["media_mime"],
        media_path=r["media_path"],
    )


def pause_sending(store: Store, session_id: str, until: datetime) -> None:
    """Nobody sends in this session before `until` (the later of two pauses wins)."""
    with store.write() as conn:
        conn.execute(
            "UPDATE sessions SET send_not_before = MAX(COALESCE(send_not_before, ''), ?)"
            " WHERE id = ?",
            (iso(until), session_id),
        )


def paused_until(store: Store, session_id: str) -> datetime | None:
    row = store.conn.execute(
        "SELECT send_not_before FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
