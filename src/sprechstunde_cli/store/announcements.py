"""The announcement ledger: claim with a lease, then record what happened.

Each (session, offset, target) has one row. A run claims it in one write transaction before
posting anything, so two overlapping runs never both post. A run that dies after claiming leaves
the row "sending" with a lease that runs out; the next run gets it back as an interrupted claim
and decides, per target, whether repeating it is safe (same idempotency key) or not.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from sprechstunde_cli.store.base import StoreBase, at, iso, parse
from sprechstunde_cli.system.redact import summary

SENDING = "sending"
SENT = "sent"
FAILED = "failed"  # retried on a later run while within the grace period
SKIPPED = "skipped"  # missed (machine off), superseded, or not possible for this session
UNCERTAIN = "uncertain"  # a run died between posting and recording; never repeated blindly

# A manual `announce --now` may retry these; the cron run leaves them alone.
_MANUAL_RETRY = (FAILED, SKIPPED, UNCERTAIN)


@dataclass(frozen=True)
class Entry:
    """One row of the announcement ledger: a session's offset at one target, and where it stands."""

    session_id: str
    offset: str
    target: str
    due_at: datetime
    key: str
    state: str
    attempts: int
    lease_until: datetime | None
    started_at: datetime | None
    next_at: datetime | None
    error: str
    remote_id: str
    done_at: datetime | None


@dataclass(frozen=True)
class Claim:
    """This run owns the row until `lease_until` and may post with `key`."""

    session_id: str
    offset: str
    target: str
    key: str
    owner: str
    attempt: int
    # Set when an earlier run claimed the row at this time and vanished without recording.
    interrupted_at: datetime | None = None


def claim(
    store: StoreBase,
    session_id: str,
    offset: str,
    target: str,
    *,
    due_at: datetime,
    now: datetime,
    lease: timedelta,
    owner: str,
    manual: bool = False,
) -> Claim | Entry:
    """Take the row for this run, or return the entry that stands in the way."""
    with store.write() as conn:
        row = _row(conn, session_id, offset, target)
        if row is None:
            key = f"{session_id}.{offset}.{target}.{secrets.token_hex(6)}"
            conn.execute(
                "INSERT INTO announcements (session_id, offset_name, target, due_at, key, state,"
                " attempts, owner, lease_until, started_at, created_at)"
                " VALUES (?,?,?,?,?,?,1,?,?,?,?)",
                (
                    session_id,
                    offset,
                    target,
                    iso(due_at),
                    key,
                    SENDING,
                    owner,
                    iso(now + lease),
                    iso(now),
                    iso(now),
                ),
            )
            return Claim(session_id, offset, target, key, owner, 1)
        entry = _entry(row)
        interrupted = None
        if entry.state == SENDING:
            if entry.lease_until is not None and entry.lease_until > now:
                return entry  # another run is posting it right now
            interrupted = entry.started_at
        elif entry.state == FAILED and not manual:
            if entry.next_at is not None and entry.next_at > now:
                return entry
        elif not (manual and entry.state in _MANUAL_RETRY):
            return entry
        conn.execute(
            "UPDATE announcements SET state = ?, attempts = attempts + 1, owner = ?,"
            " lease_until = ?, started_at = ?, error = NULL"
            " WHERE session_id = ? AND offset_name = ? AND target = ?",
            (SENDING, owner, iso(now + lease), iso(now), session_id, offset, target),
        )
        return Claim(session_id, offset, target, entry.key, owner, entry.attempts + 1, interrupted)


def record_sent(store: StoreBase, claim: Claim, now: datetime, remote_id: str) -> None:
    # Unconditional: once posted, "sent" is the truth even if this run's lease ran out.
    _update(store, claim, SENT, now, remote_id=remote_id, done=True)


def record_failed(
    store: StoreBase, claim: Claim, now: datetime, error: str, retry_at: datetime
) -> None:
    _update(store, claim, FAILED, now, error=error, next_at=retry_at, own_only=True)


def record_uncertain(store: StoreBase, claim: Claim, now: datetime, note: str) -> None:
    _update(store, claim, UNCERTAIN, now, error=note, done=True, own_only=True)


def record_given_up(store: StoreBase, claim: Claim, now: datetime, reason: str) -> None:
    _update(store, claim, SKIPPED, now, error=reason, done=True, own_only=True)


def record_skipped(
    store: StoreBase,
    session_id: str,
    offset: str,
    target: str,
    *,
    due_at: datetime,
    now: datetime,
    reason: str,
    interrupted_note: str = "",
) -> tuple[str, str]:
    """Record that this announcement will not go out; return (state, why) if that is news.

    A row left "sending" by a run that died becomes UNCERTAIN (with `interrupted_note`) once
    its lease is over: it may have gone out, so it is reported rather than called skipped.
    """
    reason, interrupted_note = summary(reason), summary(interrupted_note)
    with store.write() as conn:
        row = _row(conn, session_id, offset, target)
        if row is None:
            conn.execute(
                "INSERT INTO announcements (session_id, offset_name, target, due_at, key, state,"
                " error, created_at, done_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    offset,
                    target,
                    iso(due_at),
                    f"{session_id}.{offset}.{target}.{secrets.token_hex(6)}",
                    SKIPPED,
                    reason,
                    iso(now),
                    iso(now),
                ),
            )
            return SKIPPED, reason
        lease = parse(row["lease_until"])
        if row["state"] == SENDING and lease is not None and lease <= now:
            conn.execute(
                "UPDATE announcements SET state = ?, error = ?, done_at = ?, lease_until = NULL"
                " WHERE session_id = ? AND offset_name = ? AND target = ?",
                (UNCERTAIN, interrupted_note or reason, iso(now), session_id, offset, target),
            )
            return UNCERTAIN, interrupted_note or reason
        if row["state"] != FAILED:
            return "", ""
        why = summary(f"{reason} (last error: {row['error'] or 'unknown'})")
        conn.execute(
            "UPDATE announcements SET state = ?, error = ?, done_at = ?"
            " WHERE session_id = ? AND offset_name = ? AND target = ?",
            (SKIPPED, why, iso(now), session_id, offset, target),
        )
        return SKIPPED, why


def entries(store: StoreBase, session_ids: list[str] | None = None) -> list[Entry]:
    rows = store._read("SELECT * FROM announcements ORDER BY due_at, session_id, offset_name")
    found = [_entry(r) for r in rows]
    return [e for e in found if session_ids is None or e.session_id in session_ids]


def _update(
    store: StoreBase,
    claim: Claim,
    state: str,
    now: datetime,
    *,
    error: str | None = None,
    remote_id: str | None = None,
    next_at: datetime | None = None,
    done: bool = False,
    own_only: bool = False,
) -> None:
    sql = (
        "UPDATE announcements SET state = ?, error = ?, remote_id = COALESCE(?, remote_id),"
        " next_at = ?, done_at = ?, lease_until = NULL"
        " WHERE session_id = ? AND offset_name = ? AND target = ?"
    )
    params: tuple[object, ...] = (
        state,
        None if error is None else summary(error),
        remote_id,
        iso(next_at) if next_at else None,
        iso(now) if done else None,
        claim.session_id,
        claim.offset,
        claim.target,
    )
    if own_only:
        # Never overwrite what a later run recorded after this run's lease ran out.
        sql += " AND owner = ?"
        params = (*params, claim.owner)
    with store.write() as conn:
        conn.execute(sql, params)


def _row(conn: sqlite3.Connection, session_id: str, offset: str, target: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM announcements WHERE session_id = ? AND offset_name = ? AND target = ?",
        (session_id, offset, target),
    ).fetchone()
    return row


def _entry(r: sqlite3.Row) -> Entry:
    return Entry(
        session_id=r["session_id"],
        offset=r["offset_name"],
        target=r["target"],
        due_at=at(r["due_at"]),
        key=r["key"],
        state=r["state"],
        attempts=int(r["attempts"]),
        lease_until=parse(r["lease_until"]),
        started_at=parse(r["started_at"]),
        next_at=parse(r["next_at"]),
        error=r["error"] or "",
        remote_id=r["remote_id"] or "",
        done_at=parse(r["done_at"]),
    )
