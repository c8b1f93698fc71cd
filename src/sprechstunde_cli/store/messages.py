"""Messages: reading a session's messages, what is unread, and the office's sent ones."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose
from sprechstunde_cli.store.base import MEDIA_NAME, StoreBase, iso

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo, MessageRecord
    from sprechstunde_cli.store.inbound import Changed

# The live view's "last line" shows what a person wrote; automatic texts (greeting, last call,
# closing words) would hide the citizen's question behind boilerplate.
_SHOWN_AS_LAST_LINE = frozenset({Purpose.REPLY, Purpose.HANDOFF})


class MessageQueries(StoreBase):
    """A session's messages, both ways; bodies are sealed with the session's key."""

    def has_message(self, session_id: str, provider_id: str) -> bool:
        """Whether the session already stored this provider message."""
        return bool(
            self._read(
                "SELECT 1 FROM messages WHERE session_id = ? AND provider_id = ?",
                (session_id, provider_id),
            )
        )

    def messages(
        self, session_id: str, thread: int | None = None, after_id: int = 0, limit: int = 10_000
    ) -> list[MessageRecord]:
        sql = "SELECT * FROM messages WHERE session_id = ? AND id > ?"
        params: tuple[object, ...] = (session_id, after_id)
        if thread is not None:
            sql += " AND thread = ?"
            params = (*params, thread)
        rows = self._read(sql + " ORDER BY id LIMIT ?", (*params, limit))
        # Here: only a command that reads messages creates their values (store/message_row.py).
        from sprechstunde_cli.store.message_row import message

        return [
            message(
                r,
                self.unseal(session_id, r["body"]),
                self.unseal(session_id, r["media_name"], MEDIA_NAME),
            )
            for r in rows
        ]

    def withdraw(
        self, conn: sqlite3.Connection, session_id: str, provider_id: str, chat: str, now: datetime
    ) -> Changed | None:
        """The citizen deleted their message: drop its body, caption and file columns at once;
        the row keeps only that it was withdrawn. None if no such message of theirs is here."""
        found = _own_inbound(conn, session_id, provider_id, chat)
        if found is None:
            return None
        conn.execute(
            "UPDATE messages SET body = '', media_path = NULL, media_mime = NULL,"
            " media_size = NULL, media_width = NULL, media_height = NULL,"
            " media_duration = NULL, media_name = NULL, edited_at = NULL, withdrawn_at = ?,"
            " change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM messages"
            " WHERE session_id = ?) WHERE id = ?",
            (iso(now), session_id, found.message_id),
        )
        return found

    def edit(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        provider_id: str,
        chat: str,
        body: str,
        now: datetime,
    ) -> Changed | None:
        """The citizen replaced their message's text: only the latest version is kept."""
        found = _own_inbound(conn, session_id, provider_id, chat)
        if found is None:
            return None
        conn.execute(
            "UPDATE messages SET body = ?, edited_at = ?, change_seq = (SELECT"
            " COALESCE(MAX(change_seq), 0) + 1 FROM messages WHERE session_id = ?) WHERE id = ?",
            (self.seal(session_id, body), iso(now), session_id, found.message_id),
        )
        return found

    # Withdrawals and edits are numbered per session (`change_seq`), so `tail` can follow
    # changes to rows it already showed.
    def last_change(self, session_id: str) -> int:
        """The number of the session's latest withdrawal or edit (0: none yet)."""
        rows = self._read(
            "SELECT COALESCE(MAX(change_seq), 0) FROM messages WHERE session_id = ?",
            (session_id,),
        )
        return int(rows[0][0])

    def changed_after(self, session_id: str, change: int) -> list[tuple[int, MessageRecord]]:
        """Messages withdrawn or edited after change number `change`, in that order."""
        rows = self._read(
            "SELECT * FROM messages WHERE session_id = ? AND change_seq > ? ORDER BY change_seq",
            (session_id, change),
        )
        from sprechstunde_cli.store.message_row import message

        return [
            (int(r["change_seq"]), message(r, self.unseal(session_id, r["body"]), "")) for r in rows
        ]

    def message_id_before_last(self, session_id: str, count: int) -> int:
        """The id after which the last `count` messages of the session follow (0: all)."""
        rows = self._read(
            "SELECT id FROM messages WHERE session_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
            (session_id, count),
        )
        return int(rows[0]["id"]) if rows else 0

    def mark_read(self, session_id: str, number: int, upto: int) -> None:
        with self.write() as conn:
            conn.execute(
                "UPDATE threads SET read_upto = MAX(read_upto, ?)"
                " WHERE session_id = ? AND number = ?",
                (upto, session_id, number),
            )

    def unread_provider_ids(self, session_id: str, number: int) -> list[str]:
        rows = self._read(
            "SELECT m.provider_id FROM messages m JOIN threads t ON t.session_id = m.session_id"
            " AND t.number = m.thread WHERE m.session_id = ? AND m.thread = ?"
            " AND m.direction = 'in' AND m.id > t.read_upto AND m.provider_id IS NOT NULL"
            " AND m.withdrawn_at IS NULL"
            " ORDER BY m.id",
            (session_id, number),
        )
        return [r["provider_id"] for r in rows]

    def mark_all_read(self, session_id: str, number: int) -> None:
        with self.write() as conn:
            conn.execute(
                "UPDATE threads SET read_upto = MAX(read_upto, COALESCE((SELECT MAX(id)"
                " FROM messages WHERE session_id = ? AND thread = ?), 0))"
                " WHERE session_id = ? AND number = ?",
                (session_id, number, session_id, number),
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
            " media_height, media_duration, media_name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                number,
                Direction.OUT.value,
                kind.value,
                purpose.value,
                provider_id or None,  # the messenger gave no id: none is guessed
                self.seal(session_id, body),
                iso(at),
                operator,
                *media_cols(media),
                self.seal_media_name(session_id, media),
            ),
        )
        message_id = int(cur.lastrowid or 0)
        if purpose in _SHOWN_AS_LAST_LINE:
            conn.execute(
                "UPDATE threads SET last_message_id = ? WHERE session_id = ? AND number = ?",
                (message_id, session_id, number),
            )
        return message_id


def _own_inbound(
    conn: sqlite3.Connection, session_id: str, provider_id: str, chat: str
) -> Changed | None:
    # Only the citizen of the thread may change it, and a withdrawn message stays withdrawn.
    row = conn.execute(
        "SELECT m.id, m.thread, m.media_path FROM messages m JOIN threads t"
        " ON t.session_id = m.session_id AND t.number = m.thread"
        " WHERE m.session_id = ? AND m.provider_id = ? AND m.direction = 'in'"
        " AND t.chat = ? AND m.withdrawn_at IS NULL",
        (session_id, provider_id, chat),
    ).fetchone()
    if row is None:
        return None
    from sprechstunde_cli.store.inbound import Changed  # intake's alone: store/inbound.py

    return Changed(int(row["id"]), int(row["thread"]), row["media_path"])


def media_cols(media: MediaInfo | None) -> tuple[object, ...]:
    # The name (media_name) is sealed, so it goes through StoreBase.seal_media_name.
    if media is None:
        return (None, None, None, None, None, None)
    return (media.path, media.mime, media.size, media.width, media.height, media.duration)
