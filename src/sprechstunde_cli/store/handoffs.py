"""Hand-offs: questions passed to a department, with the citizen's consent, until delivered.

States: pending → delivered | exported, or failed (with the reason; retried by the next run).
A row leaves the table only with the session's purge. The address, the question and the note
are sealed with the session's key like message bodies, so the crypto-erase covers them too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from sprechstunde_cli.domain.handoffs import (
    DELIVERED,
    EXPORTED,
    FAILED,
    PENDING,
    STATES,
    Consent,
    Handoff,
)
from sprechstunde_cli.store.store import Store, iso, parse
from sprechstunde_cli.system.redact import summary


def insert(
    store: Store,
    conn: sqlite3.Connection,
    session_id: str,
    *,
    thread: int,
    department: str,
    email: str,
    question: str,
    note: str,
    consent: Consent,
    operator: str | None,
    now: datetime,
) -> int | None:
    """Record a hand-off in the caller's transaction; None if the thread has one for it."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO handoffs (session_id, thread, department, email, question, note,"
        " consent, operator, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            session_id,
            thread,
            department,
            store.seal(session_id, email, "handoff.email"),
            store.seal(session_id, question, "handoff.question"),
            store.seal(session_id, note, "handoff.note"),
            consent.value,
            operator,
            PENDING,
            iso(now),
        ),
    )
    return int(cur.lastrowid) if cur.rowcount == 1 and cur.lastrowid else None


def get(
    store: Store,
    session_id: str,
    thread: int,
    department: str,
    conn: sqlite3.Connection | None = None,
) -> Handoff | None:
    """One hand-off; pass `conn` to read inside the caller's transaction."""
    row = (
        (conn or store.conn)
        .execute(
            "SELECT * FROM handoffs WHERE session_id = ? AND thread = ? AND department = ?",
            (session_id, thread, department),
        )
        .fetchone()
    )
    return _handoff(store, row) if row else None


def of_session(store: Store, session_id: str, *states: str) -> list[Handoff]:
    """The session's hand-offs in the given states (all without states), by thread."""
    rows = store.conn.execute(
        "SELECT * FROM handoffs WHERE session_id = ? ORDER BY thread, id", (session_id,)
    ).fetchall()
    found = [_handoff(store, r) for r in rows]
    return [h for h in found if not states or h.state in states]


def counts(store: Store, session_id: str) -> dict[str, int]:
    """Hand-offs per state; every state is present, zero if none."""
    rows = store.conn.execute(
        "SELECT state, COUNT(*) FROM handoffs WHERE session_id = ? GROUP BY state", (session_id,)
    ).fetchall()
    found = {r[0]: int(r[1]) for r in rows}
    return {state: found.get(state, 0) for state in STATES}


def requote(
    store: Store, conn: sqlite3.Connection, session_id: str, thread: int, question: str
) -> int:
    """Replace the quoted question of the thread's hand-offs not yet out (pending or failed),
    in the caller's transaction: after a withdrawal or an edit only what stands is passed on."""
    cur = conn.execute(
        "UPDATE handoffs SET question = ? WHERE session_id = ? AND thread = ? AND state IN (?, ?)",
        (store.seal(session_id, question, "handoff.question"), session_id, thread, PENDING, FAILED),
    )
    return cur.rowcount


def tried(store: Store, handoff_id: int) -> None:
    """Count an attempt before it is made, so a crash mid-send still shows up in `attempts`."""
    with store.write() as conn:
        conn.execute("UPDATE handoffs SET attempts = attempts + 1 WHERE id = ?", (handoff_id,))


def delivered(store: Store, handoff_id: int, now: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE handoffs SET state = ?, error = NULL, done_at = ? WHERE id = ?",
            (DELIVERED, iso(now), handoff_id),
        )


def failed(store: Store, handoff_id: int, error: str) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE handoffs SET state = ?, error = ? WHERE id = ?",
            (FAILED, summary(error), handoff_id),
        )


def exported(store: Store, handoff_ids: Sequence[int], now: datetime) -> None:
    """Mark hand-offs as taken over in an export file, all in one transaction."""
    with store.write() as conn:
        conn.executemany(
            "UPDATE handoffs SET state = ?, error = NULL, done_at = ? WHERE id = ?",
            [(EXPORTED, iso(now), handoff_id) for handoff_id in handoff_ids],
        )


def outbox_state(store: Store, key: str) -> tuple[int, str, str | None] | None:
    """The outbox row (id, state, error) behind an idempotency key, if one was queued."""
    row = store.conn.execute("SELECT id, state, error FROM outbox WHERE key = ?", (key,)).fetchone()
    return (int(row["id"]), row["state"], row["error"]) if row else None


def _handoff(store: Store, r: sqlite3.Row) -> Handoff:
    created = parse(r["created_at"])
    assert created is not None  # NOT NULL in the schema
    sid = r["session_id"]
    return Handoff(
        id=int(r["id"]),
        session_id=sid,
        thread=int(r["thread"]),
        department=r["department"],
        email=store.unseal(sid, r["email"], "handoff.email"),
        question=store.unseal(sid, r["question"], "handoff.question"),
        note=store.unseal(sid, r["note"], "handoff.note"),
        consent=Consent(r["consent"]),
        operator=r["operator"],
        state=r["state"],
        attempts=int(r["attempts"]),
        error=r["error"],
        created_at=created,
        done_at=parse(r["done_at"]),
    )
