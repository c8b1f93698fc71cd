"""Threads: numbering on first contact, waiting, claims (the rows the views show:
`store/thread_rows.py`)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.errors import ConflictError, NotFoundError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.base import StoreBase, iso, parse
from sprechstunde_cli.store.messages import media_cols

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo
    from sprechstunde_cli.store.inbound import Inserted
    from sprechstunde_cli.store.thread_info import ThreadInfo

# The context display names are sealed under (store/plaintext.py seals older rows with it).
NAME = "thread.display_name"


class ThreadQueries(StoreBase):
    """Threads: numbering, who waits, claims, the rows of `threads` and the live view."""

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
        number, created, resumed = self._thread_for(conn, session_id, chat, display_name, at)
        cur = conn.execute(
            "INSERT INTO messages (session_id, thread, direction, kind, provider_id, body, at,"
            " media_path, media_mime, media_size, media_width, media_height, media_duration,"
            " media_name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                number,
                Direction.IN.value,
                kind.value,
                provider_id,
                self.seal(session_id, body),
                iso(at),
                *media_cols(media),
                self.seal_media_name(session_id, media),
            ),
        )
        message_id = int(cur.lastrowid or 0)
        conn.execute(
            # A citizen who writes again is back (unblocked, rejoined): answers reach them.
            "UPDATE threads SET waiting_since = COALESCE(waiting_since, ?), last_message_id = ?,"
            " left_at = NULL WHERE session_id = ? AND number = ?",
            (iso(at), message_id, session_id, number),
        )
        from sprechstunde_cli.store.inbound import Inserted  # intake's alone: store/inbound.py

        return Inserted(message_id, number, created, resumed)

    def _thread_for(
        self, conn: sqlite3.Connection, session_id: str, chat: str, display_name: str, at: datetime
    ) -> tuple[int, bool, bool]:
        """(number, created, resumed: answered and not waiting before this message)."""
        row = conn.execute(
            "SELECT number, answered, waiting_since FROM threads WHERE session_id = ? AND chat = ?",
            (session_id, chat),
        ).fetchone()
        if row:
            return int(row["number"]), False, bool(row["answered"]) and not row["waiting_since"]
        number = conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM threads WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO threads (session_id, number, chat, display_name, first_at)"
            " VALUES (?,?,?,?,?)",
            (session_id, number, chat, self._seal_name(session_id, display_name), iso(at)),
        )
        return int(number), True, False

    # The citizen's name as the messenger gave it is theirs: sealed like what they wrote.
    def _seal_name(self, session_id: str, name: str) -> bytes | str:
        return self.seal(session_id, name, NAME) if name else ""

    def _info(self, session_id: str, r: sqlite3.Row) -> ThreadInfo:
        from sprechstunde_cli.store.thread_info import ThreadInfo

        return ThreadInfo(
            session_id,
            int(r["number"]),
            r["chat"],
            self.unseal(session_id, r["display_name"], NAME),
            r["claimed_by"],
            int(r["read_upto"]),
        )

    def left(
        self, conn: sqlite3.Connection, session_id: str, chat: str, now: datetime
    ) -> int | None:
        """The citizen left the chat or blocked the office; their thread's number, if any."""
        row = conn.execute(
            "SELECT number FROM threads WHERE session_id = ? AND chat = ?", (session_id, chat)
        ).fetchone()
        if row is None:
            return None
        conn.execute(
            "UPDATE threads SET left_at = COALESCE(left_at, ?) WHERE session_id = ? AND number = ?",
            (iso(now), session_id, row["number"]),
        )
        return int(row["number"])

    def has_left(self, session_id: str, number: int) -> bool:
        rows = self._read(
            "SELECT left_at FROM threads WHERE session_id = ? AND number = ?", (session_id, number)
        )
        return bool(rows) and rows[0]["left_at"] is not None

    # --- threads ---------------------------------------------------------------------------

    def thread(self, session_id: str, number: int) -> ThreadInfo:
        rows = self._read(
            "SELECT * FROM threads WHERE session_id = ? AND number = ?", (session_id, number)
        )
        if not rows:
            raise NotFoundError(
                _("Session '{session_id}' has no thread {number}.").format(
                    session_id=session_id, number=number
                ),
                _("List the threads: sprechstunde threads"),
            )
        return self._info(session_id, rows[0])

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
        return [self._info(session_id, r) for r in rows]

    def unanswered_threads(self, session_id: str) -> list[ThreadInfo]:
        rows = self._read(
            "SELECT * FROM threads WHERE session_id = ? AND answered = 0 ORDER BY number",
            (session_id,),
        )
        return [self._info(session_id, r) for r in rows]

    def display_names(self, session_id: str) -> list[str]:
        """The names the citizens gave their messenger (for the purge's search)."""
        rows = self._read(
            "SELECT display_name FROM threads WHERE session_id = ? ORDER BY number", (session_id,)
        )
        return [self.unseal(session_id, r["display_name"], NAME) for r in rows]

    def claim(
        self, session_id: str, number: int, operator: str, now: datetime, force: bool = False
    ) -> None:
        with self.write() as conn:
            self.claim_in(conn, session_id, number, operator, now, force)

    def claim_in(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        number: int,
        operator: str,
        now: datetime,
        force: bool = False,
    ) -> None:
        """Claim in the caller's transaction, so a reply's claim and its queued row stand or
        fall together."""
        holder = _holder(conn, session_id, number)
        if holder and holder != operator and not force:
            raise ConflictError(
                _("Thread {number} is claimed by {holder}.").format(number=number, holder=holder),
                _("Ask {holder} to release it, or add --force.").format(holder=holder),
            )
        conn.execute(
            "UPDATE threads SET claimed_by = ?, claimed_at = ? WHERE session_id = ? AND number = ?",
            (operator, iso(now), session_id, number),
        )

    def release(self, session_id: str, number: int, operator: str, force: bool = False) -> None:
        with self.write() as conn:
            holder = _holder(conn, session_id, number)
            if holder and holder != operator and not force:
                raise ConflictError(
                    _("Thread {number} is claimed by {holder}, not by you.").format(
                        number=number, holder=holder
                    ),
                    _("Only the holder releases a claim; add --force to override."),
                )
            conn.execute(
                "UPDATE threads SET claimed_by = NULL, claimed_at = NULL"
                " WHERE session_id = ? AND number = ?",
                (session_id, number),
            )

    def answered(
        self, conn: sqlite3.Connection, session_id: str, number: int, now: datetime
    ) -> None:
        """Mark a thread answered; how long it waited is kept, content-free, for statistics."""
        row = conn.execute(
            "SELECT waiting_since FROM threads WHERE session_id = ? AND number = ?",
            (session_id, number),
        ).fetchone()
        since = parse(row["waiting_since"]) if row else None
        if since is not None:
            conn.execute(
                "INSERT INTO wait_samples (session_id, seconds) VALUES (?, ?)",
                (session_id, max(0.0, (now - since).total_seconds())),
            )
        conn.execute(
            "UPDATE threads SET answered = 1, waiting_since = NULL"
            " WHERE session_id = ? AND number = ?",
            (session_id, number),
        )


def _holder(conn: sqlite3.Connection, session_id: str, number: int) -> str | None:
    """Who has claimed the thread (None: nobody); NotFoundError if there is no such thread."""
    row = conn.execute(
        "SELECT claimed_by FROM threads WHERE session_id = ? AND number = ?", (session_id, number)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            _("Session '{session_id}' has no thread {number}.").format(
                session_id=session_id, number=number
            ),
            _("List the threads: sprechstunde threads"),
        )
    holder: str | None = row["claimed_by"]
    return holder
