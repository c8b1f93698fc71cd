"""The outbox: a row is written before anything is sent, and leased while it is being sent.

A lease instead of a lock lets `open` and `reply` share the outbox: whoever flips a row from
pending to sending owns it; if that process dies, the lease runs out and another one resumes.
The body and the attachment's path are sealed with the session's key like message bodies: a
reply waits here (and in the WAL) until it is sent, and the crypto-erase must cover it too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import MessageKind, Purpose
from sprechstunde_cli.store.store import Store, iso
from sprechstunde_cli.system.redact import summary

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class OutboxItem:
    """A message the office is to send, as the outbox hands it to the process that leased it."""

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
    media_name: str = ""  # the file name the citizen's phone shows


# AES-GCM contexts: a sealed outbox body cannot be passed off as a message body or a path.
BODY = "outbox.body"
MEDIA_PATH = "outbox.media_path"
MEDIA_NAME = "outbox.media_name"


def enqueue(
    store: Store,
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
        " media_mime, media_path, key, state, next_at, operator, created_at, media_name)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            session_id,
            thread,
            chat,
            purpose.value,
            store.seal(session_id, body, BODY),
            media_kind.value if media_kind else None,
            media.mime if media else None,
            store.seal(session_id, media.path, MEDIA_PATH) if media and media.path else None,
            key,
            PENDING,
            iso(now),
            operator,
            iso(now),
            store.seal(session_id, media.name, MEDIA_NAME) if media and media.name else None,
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
    return [_item(store, r) for r in rows]


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
            " media_name = NULL, lease_until = NULL, error = NULL WHERE id = ?",
            (SENT, iso(now), provider_id or None, item.id),  # no id named: none kept
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


def queued_texts(store: Store, session_id: str) -> list[str]:
    """The bodies still here (pending, sending, failed): sent ones live on in `messages`."""
    rows = store.conn.execute(
        "SELECT body FROM outbox WHERE session_id = ? AND body != ''", (session_id,)
    ).fetchall()
    return [store.unseal(session_id, r["body"], BODY) for r in rows]


def queued_file_names(store: Store, session_id: str) -> list[str]:
    """The names of attachments not sent yet (a sent one's name lives on in `messages`)."""
    rows = store.conn.execute(
        "SELECT media_name FROM outbox WHERE session_id = ? AND media_name IS NOT NULL",
        (session_id,),
    ).fetchall()
    return [store.unseal(session_id, r["media_name"], MEDIA_NAME) for r in rows]


def _item(store: Store, r: sqlite3.Row) -> OutboxItem:
    sid = r["session_id"]
    return OutboxItem(
        id=int(r["id"]),
        session_id=sid,
        thread=r["thread"],
        chat=r["chat"],
        purpose=Purpose(r["purpose"]),
        body=store.unseal(sid, r["body"], BODY),
        key=r["key"],
        attempts=int(r["attempts"]) + 1,
        operator=r["operator"],
        media_kind=MessageKind(r["media_kind"]) if r["media_kind"] else None,
        media_mime=r["media_mime"],
        media_path=store.unseal(sid, r["media_path"], MEDIA_PATH) or None,
        media_name=store.unseal(sid, r["media_name"], MEDIA_NAME),
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


def unfinished(store: Store, session_id: str) -> int:
    """Rows neither sent nor given up: queued, waiting for a retry, or leased by a sender."""
    row = store.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE session_id = ? AND state IN (?, ?)",
        (session_id, PENDING, SENDING),
    ).fetchone()
    return int(row[0])


def next_due(store: Store, session_id: str) -> datetime | None:
    """When the next unfinished row can be leased: its retry time, or when another process's
    lease runs out; not before a pause the messenger asked for. None if nothing is unfinished."""
    row = store.conn.execute(
        "SELECT MIN(CASE state WHEN ? THEN next_at ELSE lease_until END) FROM outbox"
        " WHERE session_id = ? AND state IN (?, ?)",
        (PENDING, session_id, PENDING, SENDING),
    ).fetchone()
    if not row or not row[0]:
        return None
    due = datetime.fromisoformat(row[0])
    paused = paused_until(store, session_id)
    return max(due, paused) if paused is not None else due
