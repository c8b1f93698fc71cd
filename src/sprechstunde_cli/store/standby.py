"""Between hours: the receiver's cursor, who got the away text in this gap, and the messages
taken in but not yet answered and deleted. Nothing here holds what a citizen wrote."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.store.base import StoreBase, at, iso


@dataclass(frozen=True)
class Pending:
    """A message or call taken in between hours, still to answer and delete at the messenger."""

    provider_id: str
    chat: str
    reply_key: str | None  # None: this sender was answered in this gap already
    replied: bool
    is_call: bool


def cursor(store: StoreBase, account: str) -> str | None:
    """Where the receiver of `account` goes on: its own position, or the position of a
    session held on this account since (an `open` that could not hand it back)."""
    mine = store._read("SELECT cursor, updated_at FROM receivers WHERE account = ?", (account,))
    held = store._read(
        "SELECT cursor, COALESCE(closed_at, opened_at) AS at FROM sessions"
        " WHERE provider = ? AND cursor IS NOT NULL AND opened_at IS NOT NULL"
        " ORDER BY opened_at DESC LIMIT 1",
        (account,),
    )
    if held and (not mine or at(held[0]["at"]) > at(mine[0]["updated_at"])):
        return str(held[0]["cursor"])
    return mine[0]["cursor"] if mine else None


def set_cursor(conn: sqlite3.Connection, account: str, position: str | None, now: datetime) -> None:
    conn.execute(
        "INSERT INTO receivers VALUES (?,?,?,?) ON CONFLICT(account) DO UPDATE SET"
        " cursor = excluded.cursor, updated_at = excluded.updated_at",
        (account, position, iso(now), iso(now)),
    )


def started(store: StoreBase, account: str) -> datetime | None:
    """When a receiver first went between hours on this account."""
    rows = store._read("SELECT started_at FROM receivers WHERE account = ?", (account,))
    return at(rows[0]["started_at"]) if rows else None


def last_opened(store: StoreBase, account: str) -> datetime | None:
    """When the latest session on this account opened: what came before is an earlier gap's."""
    rows = store._read(
        "SELECT MAX(opened_at) AS at FROM sessions WHERE provider = ? AND opened_at IS NOT NULL",
        (account,),
    )
    return at(rows[0]["at"]) if rows and rows[0]["at"] else None


def hand_back(store: StoreBase, account: str, position: str | None, now: datetime) -> None:
    """`open` ends: `standby` goes on from where the hour stopped."""
    if position is not None:
        with store.write() as conn:
            set_cursor(conn, account, position, now)


def first_in_gap(conn: sqlite3.Connection, account: str, gap: str, chat: str) -> bool:
    """True the first time `chat` writes in this gap; forgets the gaps that are over."""
    conn.execute("DELETE FROM standby_senders WHERE account = ? AND gap != ?", (account, gap))
    conn.execute("DELETE FROM standby_gaps WHERE account = ? AND gap != ?", (account, gap))
    conn.execute(
        "INSERT OR IGNORE INTO standby_gaps VALUES (?,?,?)",
        (account, gap, secrets.token_bytes(32)),
    )
    row = conn.execute(
        "SELECT salt FROM standby_gaps WHERE account = ? AND gap = ?", (account, gap)
    ).fetchone()
    # A keyed hash: the table alone does not say who wrote, and the key dies with the gap.
    digest = hmac.new(bytes(row["salt"]), chat.encode(), hashlib.sha256).digest()
    cur = conn.execute(
        "INSERT OR IGNORE INTO standby_senders VALUES (?,?,?)", (account, gap, digest)
    )
    return cur.rowcount == 1


def add_pending(
    conn: sqlite3.Connection,
    account: str,
    provider_id: str,
    chat: str,
    reply_key: str | None,
    is_call: bool,
) -> bool:
    """False if this event was taken in already (a batch handed out again)."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO standby_pending (account, provider_id, chat, reply_key, is_call)"
        " VALUES (?,?,?,?,?)",
        (account, provider_id, chat, reply_key, int(is_call)),
    )
    return cur.rowcount == 1


def pending(store: StoreBase, account: str) -> list[Pending]:
    rows = store._read("SELECT * FROM standby_pending WHERE account = ? ORDER BY rowid", (account,))
    return [
        Pending(r["provider_id"], r["chat"], r["reply_key"], bool(r["replied"]), bool(r["is_call"]))
        for r in rows
    ]


def mark_replied(store: StoreBase, account: str, provider_id: str) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE standby_pending SET replied = 1 WHERE account = ? AND provider_id = ?",
            (account, provider_id),
        )


def done(store: StoreBase, account: str, provider_id: str) -> None:
    with store.write() as conn:
        conn.execute(
            "DELETE FROM standby_pending WHERE account = ? AND provider_id = ?",
            (account, provider_id),
        )
