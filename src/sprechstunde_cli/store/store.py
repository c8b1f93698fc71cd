"""The store: the only SQL in the project (sessions, threads, messages, counters)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sprechstunde_cli.domain.model import (
    Direction,
    MediaInfo,
    MessageKind,
    MessageRecord,
    Purpose,
    SessionRecord,
    SessionSpec,
    SessionState,
    ThreadRow,
    check_transition,
)
from sprechstunde_cli.domain.rules import mask_address
from sprechstunde_cli.errors import ConflictError, NotFoundError, StoreError
from sprechstunde_cli.store.db import connect, transaction, with_retry
from sprechstunde_cli.store.migrations import migrate


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class ThreadInfo:
    session_id: str
    number: int
    chat: str  # the provider address: for providers only, never for display
    display_name: str
    claimed_by: str | None
    read_upto: int


@dataclass(frozen=True)
class Inserted:
    message_id: int
    thread: int
    new_thread: bool


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Store:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(path)
            opened = conn
            with_retry(lambda: migrate(opened), "the store's schema")
        except BaseException as exc:
            # A refused store (newer schema, damaged file) must not keep its file handle open.
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(
                    f"Cannot open the store at {path}: {exc}.",
                    "Check the data dir (SPRECHSTUNDE_DATA_DIR) and its permissions.",
                ) from None
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn) as conn:
            yield conn

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return with_retry(lambda: self.conn.execute(sql, params).fetchall())

    # --- sessions --------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionRecord | None:
        rows = self._read("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def require_session(self, session_id: str) -> SessionRecord:
        found = self.session(session_id)
        if found is None:
            raise NotFoundError(
                f"Session '{session_id}' has not been opened on this machine.",
                f"Open it first: sprechstunde open {session_id}",
            )
        return found

    def sessions(self, *states: SessionState) -> list[SessionRecord]:
        rows = self._read("SELECT * FROM sessions ORDER BY planned_start")
        found = [_session(r) for r in rows]
        return [s for s in found if not states or s.state in states]

    def ensure_session(self, spec: SessionSpec) -> SessionRecord:
        """Record a planned session the first time a command touches it."""
        with self.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sessions (id, title, official, provider, timezone,"
                " planned_start, planned_end, state, sender_salt) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    spec.id,
                    spec.title,
                    spec.official,
                    spec.provider,
                    spec.timezone,
                    iso(spec.start),
                    iso(spec.end),
                    SessionState.PLANNED.value,
                    secrets.token_bytes(32),
                ),
            )
        return self.require_session(spec.id)

    def transition(
        self, session_id: str, target: SessionState, now: datetime, actor: str, **times: datetime
    ) -> SessionRecord:
        """Move a session to `target` if legal, recording the change and any given times."""
        allowed = {"opened_at", "effective_end", "closed_at", "purged_at"}
        with self.write() as conn:
            row = conn.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise NotFoundError(
                    f"Session '{session_id}' is unknown.",
                    f"Open it first: sprechstunde open {session_id}",
                )
            current = SessionState(row["state"])
            check_transition(session_id, current, target)
            sets = ["state = ?"]
            params: list[object] = [target.value]
            for name, moment in times.items():
                assert name in allowed, name
                sets.append(f"{name} = ?")
                params.append(iso(moment))
            conn.execute(
                f"UPDATE sessions SET {', '.join(sets)} WHERE id = ?",  # noqa: S608
                (*params, session_id),
            )
            conn.execute(
                "INSERT INTO session_events (session_id, at, from_state, to_state, actor)"
                " VALUES (?,?,?,?,?)",
                (session_id, iso(now), current.value, target.value, actor),
            )
        return self.require_session(session_id)

    def cursor(self, session_id: str) -> str | None:
        rows = self._read("SELECT cursor FROM sessions WHERE id = ?", (session_id,))
        return rows[0]["cursor"] if rows else None

    def set_cursor(self, conn: sqlite3.Connection, session_id: str, cursor: str) -> None:
        conn.execute("UPDATE sessions SET cursor = ? WHERE id = ?", (cursor, session_id))

    def set_last_call(self, conn: sqlite3.Connection, session_id: str, now: datetime) -> None:
        conn.execute("UPDATE sessions SET last_call_at = ? WHERE id = ?", (iso(now), session_id))

    def state_history(self, session_id: str) -> list[tuple[str | None, str]]:
        rows = self._read(
            "SELECT from_state, to_state FROM session_events WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [(r["from_state"], r["to_state"]) for r in rows]

    # --- inbound ---------------------------------------------------------------------------

    def add_inbound(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        *,
        provider_id: str,
        chat: str,
        display_name: str,
        at: datetime,
        kind: MessageKind,
        body: str,
        media: MediaInfo | None,
    ) -> Inserted | None:
        """Store one citizen message in the caller's transaction; None if already stored."""
        dup = conn.execute(
            "SELECT 1 FROM messages WHERE session_id = ? AND provider_id = ?",
            (session_id, provider_id),
        ).fetchone()
        if dup:
            return None
        number, created = self._thread_for(conn, session_id, chat, display_name, at)
        cur = conn.execute(
            "INSERT INTO messages (session_id, thread, direction, kind, provider_id, body, at,"
            " media_path, media_mime, media_size, media_width, media_height, media_duration)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                number,
                Direction.IN.value,
                kind.value,
                provider_id,
                body,
                iso(at),
                *_media_cols(media),
            ),
        )
        message_id = int(cur.lastrowid or 0)
        conn.execute(
            "UPDATE threads SET waiting_since = COALESCE(waiting_since, ?), last_message_id = ?"
            " WHERE session_id = ? AND number = ?",
            (iso(at), message_id, session_id, number),
        )
        return Inserted(message_id, number, created)

    def _thread_for(
        self, conn: sqlite3.Connection, session_id: str, chat: str, display_name: str, at: datetime
    ) -> tuple[int, bool]:
        row = conn.execute(
            "SELECT number FROM threads WHERE session_id = ? AND chat = ?", (session_id, chat)
        ).fetchone()
        if row:
            return int(row["number"]), False
        number = conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM threads WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO threads (session_id, number, chat, display_name, first_at)"
            " VALUES (?,?,?,?,?)",
            (session_id, number, chat, display_name, iso(at)),
        )
        return int(number), True

    def record_event(
        self, conn: sqlite3.Connection, session_id: str, provider_id: str, chat: str
    ) -> bool:
        """Remember a non-message event (call, dropped message); False if seen before."""
        cur = conn.execute(
            "INSERT OR IGNORE INTO seen_events VALUES (?,?,?)", (session_id, provider_id, chat)
        )
        return cur.rowcount == 1

    def first_away(self, conn: sqlite3.Connection, session_id: str, chat: str) -> bool:
        """True the first time a sender gets the away reply in this session."""
        row = conn.execute(
            "SELECT sender_salt FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        # A keyed hash, so the table alone does not reveal who wrote; the key dies with purge.
        digest = hmac.new(bytes(row["sender_salt"]), chat.encode(), hashlib.sha256).digest()
        cur = conn.execute("INSERT OR IGNORE INTO away_senders VALUES (?,?)", (session_id, digest))
        return cur.rowcount == 1

    def bump(self, conn: sqlite3.Connection, session_id: str, name: str, by: int = 1) -> None:
        conn.execute(
            "INSERT INTO counters VALUES (?,?,?) ON CONFLICT(session_id, name)"
            " DO UPDATE SET value = value + excluded.value",
            (session_id, name, by),
        )

    def counters(self, session_id: str) -> dict[str, int]:
        rows = self._read("SELECT name, value FROM counters WHERE session_id = ?", (session_id,))
        return {r["name"]: int(r["value"]) for r in rows}

    # --- threads and messages --------------------------------------------------------------

    def thread(self, session_id: str, number: int) -> ThreadInfo:
        rows = self._read(
            "SELECT * FROM threads WHERE session_id = ? AND number = ?", (session_id, number)
        )
        if not rows:
            raise NotFoundError(
                f"Session '{session_id}' has no thread {number}.",
                "List the threads: sprechstunde threads",
            )
        r = rows[0]
        return ThreadInfo(
            session_id, number, r["chat"], r["display_name"], r["claimed_by"], int(r["read_upto"])
        )

    def thread_number(self, session_id: str, chat: str) -> int | None:
        rows = self._read(
            "SELECT number FROM threads WHERE session_id = ? AND chat = ?", (session_id, chat)
        )
        return int(rows[0]["number"]) if rows else None

    def threads_waiting(self, session_id: str) -> list[ThreadInfo]:
        rows = self._read(
            "SELECT * FROM threads WHERE session_id = ? AND waiting_since IS NOT NULL"
            " ORDER BY number",
            (session_id,),
        )
        return [
            ThreadInfo(
                session_id,
                int(r["number"]),
                r["chat"],
                r["display_name"],
                r["claimed_by"],
                int(r["read_upto"]),
            )
            for r in rows
        ]

    def unanswered_threads(self, session_id: str) -> list[ThreadInfo]:
        rows = self._read(
            "SELECT * FROM threads WHERE session_id = ? AND answered = 0 ORDER BY number",
            (session_id,),
        )
        return [
            ThreadInfo(
                session_id,
                int(r["number"]),
                r["chat"],
                r["display_name"],
                r["claimed_by"],
                int(r["read_upto"]),
            )
            for r in rows
        ]

    def thread_rows(self, session_id: str) -> list[ThreadRow]:
        rows = self._read(
            """
            SELECT t.*, m.kind AS last_kind, m.direction AS last_direction, m.body AS last_body,
                   (SELECT COUNT(*) FROM messages u WHERE u.session_id = t.session_id
                      AND u.thread = t.number AND u.direction = 'in' AND u.id > t.read_upto)
                      AS unread
            FROM threads t LEFT JOIN messages m ON m.id = t.last_message_id
            WHERE t.session_id = ?
            """,
            (session_id,),
        )
        return [
            ThreadRow(
                number=int(r["number"]),
                citizen=mask_address(r["chat"], r["display_name"]),
                first_at=_at(r["first_at"]),
                waiting_since=parse(r["waiting_since"]),
                unread=int(r["unread"]),
                claimed_by=r["claimed_by"],
                last_kind=MessageKind(r["last_kind"]) if r["last_kind"] else None,
                last_direction=Direction(r["last_direction"]) if r["last_direction"] else None,
                last_line=r["last_body"] or "",
                answered=bool(r["answered"]),
            )
            for r in rows
        ]

    def chat_of(self, session_id: str, number: int) -> str:
        return self.thread(session_id, number).chat

    def messages(
        self, session_id: str, thread: int | None = None, after_id: int = 0, limit: int = 10_000
    ) -> list[MessageRecord]:
        sql = "SELECT * FROM messages WHERE session_id = ? AND id > ?"
        params: tuple[object, ...] = (session_id, after_id)
        if thread is not None:
            sql += " AND thread = ?"
            params = (*params, thread)
        return [_message(r) for r in self._read(sql + " ORDER BY id LIMIT ?", (*params, limit))]

    def mark_read(self, session_id: str, number: int, upto: int) -> None:
        with self.write() as conn:
            conn.execute(
                "UPDATE threads SET read_upto = MAX(read_upto, ?)"
                " WHERE session_id = ? AND number = ?",
                (upto, session_id, number),
            )

    def claim(
        self, session_id: str, number: int, operator: str, now: datetime, force: bool = False
    ) -> None:
        with self.write() as conn:
            row = conn.execute(
                "SELECT claimed_by FROM threads WHERE session_id = ? AND number = ?",
                (session_id, number),
            ).fetchone()
            if row is None:
                raise NotFoundError(
                    f"Session '{session_id}' has no thread {number}.",
                    "List the threads: sprechstunde threads",
                )
            holder = row["claimed_by"]
            if holder and holder != operator and not force:
                raise ConflictError(
                    f"Thread {number} is claimed by {holder}.",
                    f"Ask {holder} to release it, or add --force.",
                )
            conn.execute(
                "UPDATE threads SET claimed_by = ?, claimed_at = ?"
                " WHERE session_id = ? AND number = ?",
                (operator, iso(now), session_id, number),
            )

    def release(self, session_id: str, number: int, operator: str, force: bool = False) -> None:
        with self.write() as conn:
            row = conn.execute(
                "SELECT claimed_by FROM threads WHERE session_id = ? AND number = ?",
                (session_id, number),
            ).fetchone()
            if row is None:
                raise NotFoundError(
                    f"Session '{session_id}' has no thread {number}.",
                    "List the threads: sprechstunde threads",
                )
            holder = row["claimed_by"]
            if holder and holder != operator and not force:
                raise ConflictError(
                    f"Thread {number} is claimed by {holder}, not by you.",
                    "Only the holder releases a claim; add --force to override.",
                )
            conn.execute(
                "UPDATE threads SET claimed_by = NULL, claimed_at = NULL"
                " WHERE session_id = ? AND number = ?",
                (session_id, number),
            )

    def answered(self, conn: sqlite3.Connection, session_id: str, number: int) -> None:
        conn.execute(
            "UPDATE threads SET answered = 1, waiting_since = NULL"
            " WHERE session_id = ? AND number = ?",
            (session_id, number),
        )

    def add_outbound(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        number: int,
        *,
        provider_id: str,
        purpose: Purpose,
        body: str,
        at: datetime,
        operator: str | None,
        kind: MessageKind,
        media: MediaInfo | None,
    ) -> int:
        cur = conn.execute(
            "INSERT INTO messages (session_id, thread, direction, kind, purpose, provider_id,"
            " body, at, operator, media_path, media_mime, media_size, media_width,"
            " media_height, media_duration) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                number,
                Direction.OUT.value,
                kind.value,
                purpose.value,
                provider_id,
                body,
                iso(at),
                operator,
                *_media_cols(media),
            ),
        )
        message_id = int(cur.lastrowid or 0)
        conn.execute(
            "UPDATE threads SET last_message_id = ? WHERE session_id = ? AND number = ?",
            (message_id, session_id, number),
        )
        return message_id

    # --- provider references for the purge --------------------------------------------------

    def provider_refs(self, session_id: str) -> dict[str, list[str]]:
        """Every provider message id the session saw, by chat: what the purge must delete."""
        refs: dict[str, list[str]] = {}
        rows = self._read(
            "SELECT t.chat, m.provider_id FROM messages m JOIN threads t"
            " ON t.session_id = m.session_id AND t.number = m.thread"
            " WHERE m.session_id = ? AND m.provider_id IS NOT NULL"
            " UNION ALL SELECT chat, provider_id FROM seen_events"
            " WHERE session_id = ? AND chat IS NOT NULL"
            " UNION ALL SELECT chat, provider_id FROM outbox"
            " WHERE session_id = ? AND provider_id IS NOT NULL AND chat != ''",
            (session_id, session_id, session_id),
        )
        for r in rows:
            ids = refs.setdefault(r["chat"], [])
            if r["provider_id"] not in ids:
                ids.append(r["provider_id"])
        return refs

    def media_paths(self, session_id: str) -> list[str]:
        rows = self._read(
            "SELECT media_path FROM messages WHERE session_id = ? AND media_path IS NOT NULL",
            (session_id,),
        )
        return [r["media_path"] for r in rows]

    def delete_session_content(self, session_id: str) -> None:
        """Delete every row that holds citizen data; keep the session row and counters."""
        # handoffs hold the citizen's question and e-mail address: the purge runs after they
        # are delivered, and nothing of them may outlive it.
        tables = ("messages", "outbox", "handoffs", "threads", "seen_events", "away_senders")
        with self.write() as conn:
            for table in tables:
                conn.execute(
                    f"DELETE FROM {table} WHERE session_id = ?",  # noqa: S608
                    (session_id,),
                )
            conn.execute(
                "UPDATE sessions SET cursor = NULL, sender_salt = NULL WHERE id = ?", (session_id,)
            )

    def checkpoint(self) -> None:
        """Fold the WAL back into the main file and truncate it; a busy checkpoint fails."""
        busy, _, _ = with_retry(
            lambda: self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        )
        if busy:
            raise StoreError(
                "The store's write-ahead log could not be truncated: a reader is busy.",
                "Stop other sprechstunde processes (tail, open) and run it again.",
            )


def _media_cols(media: MediaInfo | None) -> tuple[object, ...]:
    if media is None:
        return (None, None, None, None, None, None)
    return (media.path, media.mime, media.size, media.width, media.height, media.duration)


def _session(r: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=r["id"],
        title=r["title"],
        official=r["official"],
        provider=r["provider"],
        timezone=r["timezone"],
        planned_start=_at(r["planned_start"]),
        planned_end=_at(r["planned_end"]),
        state=SessionState(r["state"]),
        opened_at=parse(r["opened_at"]),
        effective_end=parse(r["effective_end"]),
        closed_at=parse(r["closed_at"]),
        purged_at=parse(r["purged_at"]),
        last_call_at=parse(r["last_call_at"]),
    )


def _message(r: sqlite3.Row) -> MessageRecord:
    media = None
    if r["media_mime"]:
        media = MediaInfo(
            mime=r["media_mime"],
            size=int(r["media_size"] or 0),
            width=r["media_width"],
            height=r["media_height"],
            duration=r["media_duration"],
            path=r["media_path"],
        )
    return MessageRecord(
        id=int(r["id"]),
        session_id=r["session_id"],
        thread=int(r["thread"]),
        direction=Direction(r["direction"]),
        kind=MessageKind(r["kind"]),
        body=r["body"],
        at=_at(r["at"]),
        purpose=Purpose(r["purpose"]) if r["purpose"] else None,
        operator=r["operator"],
        media=media,
    )
