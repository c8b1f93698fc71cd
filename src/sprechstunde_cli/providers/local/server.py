"""The local messenger's server: one SQLite file in the data dir that every process shares.

Citizens are other processes (`sprechstunde sandbox send/call/inbox`) that write to and read
from it; the office reaches it only through `LocalProvider` (provider.py). Like a real
messenger's server it stamps messages with its own clock.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.db import checkpoint, connect, transaction, with_retry

MAX_MEDIA_BYTES = 64 * 1024 * 1024  # what the local "server" accepts at all
MAX_TEXT_CHARS = 65_536
BATCH = 200
# Public notices go to this pseudo-chat, the local messenger's "status" that anyone can read.
STATUS_CHAT = "status@local"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    chat TEXT NOT NULL,
    sender_name TEXT NOT NULL DEFAULT '',
    to_office INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    text TEXT NOT NULL DEFAULT '',
    media BLOB,
    mime TEXT,
    filename TEXT,
    duration REAL,
    at TEXT NOT NULL,
    call_state TEXT,
    idem_key TEXT UNIQUE,
    read INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True)
class PhoneEntry:
    """One line on a sandbox citizen's phone."""

    id: str
    incoming: bool  # True: sent by the office to this citizen
    kind: str
    text: str
    at: datetime
    mime: str | None
    size: int
    type: str = "message"
    call_state: str | None = None
    read: bool = False  # the office has read it (the citizen sees a read receipt)


class LocalMessenger:
    """The server side of the local messenger; shared by every process on this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)
        with_retry(lambda: self.conn.execute(_SCHEMA), conn=self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> LocalMessenger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what a citizen's phone does --------------------------------------------------------

    def citizen_send(
        self,
        chat: str,
        text: str = "",
        *,
        name: str = "",
        kind: MessageKind = MessageKind.TEXT,
        media: bytes | None = None,
        mime: str | None = None,
        filename: str = "",
        duration: float | None = None,
    ) -> str:
        _check_chat(chat)
        _check_size(text, media)
        return self._insert(
            "message",
            chat,
            name,
            True,
            kind.value,
            text,
            media,
            mime,
            filename,
            duration,
            None,
            None,
        )

    def citizen_call(self, chat: str, *, name: str = "", video: bool = False) -> str:
        _check_chat(chat)
        return self._insert(
            "call",
            chat,
            name,
            True,
            "video" if video else "voice",
            "",
            None,
            None,
            "",
            None,
            "ringing",
            None,
        )

    def phone(self, chat: str) -> list[PhoneEntry]:
        """Everything this citizen's phone shows, oldest first."""
        rows = with_retry(
            lambda: self.conn.execute(
                "SELECT id, type, to_office, kind, text, at, mime, LENGTH(media) AS size,"
                " call_state, read FROM events WHERE chat = ? ORDER BY seq",
                (chat,),
            ).fetchall()
        )
        return [
            PhoneEntry(
                id=r["id"],
                incoming=not r["to_office"],
                kind=r["kind"],
                text=r["text"],
                at=datetime.fromisoformat(r["at"]),
                mime=r["mime"],
                size=int(r["size"] or 0),
                type=r["type"],
                call_state=r["call_state"],
                read=bool(r["read"]),
            )
            for r in rows
        ]

    def chats(self) -> list[str]:
        rows = with_retry(
            lambda: self.conn.execute("SELECT DISTINCT chat FROM events ORDER BY chat").fetchall()
        )
        return [r["chat"] for r in rows]

    # --- what the server does for the office ------------------------------------------------

    def events_after(self, seq: int, limit: int = BATCH) -> list[sqlite3.Row]:
        return with_retry(
            lambda: self.conn.execute(
                "SELECT seq, id, type, chat, sender_name, kind, text, mime, filename, duration, at,"
                " LENGTH(media) AS size FROM events WHERE seq > ? AND to_office = 1"
                " ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        )

    def office_send(
        self,
        chat: str,
        text: str,
        key: str,
        *,
        kind: str = "text",
        media: bytes | None = None,
        mime: str | None = None,
    ) -> str:
        # The "server" enforces its limits on both directions, like a real one.
        _check_size(text, media)
        return self._insert(
            "message", chat, "", False, kind, text, media, mime, "", None, None, key
        )

    def media(self, message_id: str) -> bytes | None:
        row = with_retry(
            lambda: self.conn.execute(
                "SELECT media FROM events WHERE id = ?", (message_id,)
            ).fetchone()
        )
        return bytes(row["media"]) if row and row["media"] is not None else None

    def set_call_state(self, call_id: str, state: str) -> bool:
        with transaction(self.conn) as conn:
            cur = conn.execute(
                "UPDATE events SET call_state = ? WHERE id = ? AND type = 'call'", (state, call_id)
            )
        return cur.rowcount == 1

    def mark_read(self, chat: str, ids: Sequence[str]) -> None:
        with transaction(self.conn) as conn:
            conn.executemany(
                "UPDATE events SET read = 1 WHERE chat = ? AND id = ?", [(chat, i) for i in ids]
            )

    def delete(self, chat: str, ids: Sequence[str]) -> int:
        """Delete on both sides: the row is the only copy, and secure_delete zeroes it."""
        with transaction(self.conn) as conn:
            cur = conn.executemany(
                "DELETE FROM events WHERE chat = ? AND id = ?", [(chat, i) for i in ids]
            )
        self._compact()
        return cur.rowcount

    def delete_chat(self, chat: str) -> int:
        with transaction(self.conn) as conn:
            cur = conn.execute("DELETE FROM events WHERE chat = ?", (chat,))
        self._compact()
        return cur.rowcount

    def _compact(self) -> None:
        # A deleted row's bytes can still sit in the WAL; fold it back so the server keeps none.
        # Best effort: a busy reader only delays it to the next delete.
        checkpoint(self.conn)

    def existing(self, chat: str, ids: Sequence[str]) -> frozenset[str]:
        found: set[str] = set()
        for i in ids:
            row = with_retry(
                lambda i=i: self.conn.execute(  # type: ignore[misc]
                    "SELECT 1 FROM events WHERE chat = ? AND id = ?", (chat, i)
                ).fetchone()
            )
            if row:
                found.add(i)
        return frozenset(found)

    def _insert(
        self,
        type_: str,
        chat: str,
        name: str,
        to_office: bool,
        kind: str,
        text: str,
        media: bytes | None,
        mime: str | None,
        filename: str,
        duration: float | None,
        call_state: str | None,
        key: str | None,
    ) -> str:
        message_id = f"loc-{secrets.token_hex(8)}"
        with transaction(self.conn) as conn:
            if key is not None:
                row = conn.execute("SELECT id FROM events WHERE idem_key = ?", (key,)).fetchone()
                if row:  # a retried send: the server already has it, like a real idempotency key
                    return str(row["id"])
            conn.execute(
                "INSERT INTO events (id, type, chat, sender_name, to_office, kind, text, media,"
                " mime, filename, duration, at, call_state, idem_key)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    message_id,
                    type_,
                    chat,
                    name,
                    int(to_office),
                    kind,
                    text,
                    media,
                    mime,
                    filename,
                    duration,
                    datetime.now(UTC).isoformat(),
                    call_state,
                    key,
                ),
            )
        return message_id


def _check_size(text: str, media: bytes | None) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ProviderError(
            _("The local messenger takes at most {MAX_TEXT_CHARS} characters.").format(
                MAX_TEXT_CHARS=MAX_TEXT_CHARS
            ),
            _("Send a shorter text."),
        )
    if media is not None and len(media) > MAX_MEDIA_BYTES:
        raise ProviderError(
            _("The local messenger takes files up to {size}.").format(size=_size(MAX_MEDIA_BYTES)),
            _("Send a smaller file."),
        )


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n} bytes"


def _check_chat(chat: str) -> None:
    if not chat or len(chat) > 128:
        raise ProviderError(
            _("A citizen's handle must be 1 to 128 characters."),
            _("Pick a short handle such as c1 or anna."),
        )
