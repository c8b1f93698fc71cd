"""The local messenger's server: one SQLite file in the data dir that every process shares.

Citizens are other processes (`sprechstunde sandbox send/call/inbox`) that write to and read
from it; the office reaches it only through `LocalProvider` (provider.py). Like a real
messenger's server it stamps messages with its own clock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.local.reading import Reading
from sprechstunde_cli.providers.local.schema import (
    BATCH,
    MAX_MEDIA_BYTES,
    MAX_TEXT_CHARS,
    STATUS_CHAT,
    check_chat,
    check_size,
    ensure_schema,
)
from sprechstunde_cli.store.db import checkpoint, connect, transaction, with_retry
from sprechstunde_cli.system.clock import SystemClock

if TYPE_CHECKING:
    # Named here for annotations only (render/ reads phones through this face); at run time it
    # lives in phone.py, loaded where a phone is read (`Reading.phone`), so the office's
    # commands never create the class.
    from sprechstunde_cli.providers.local.phone import PhoneEntry as PhoneEntry

# Where the rest of the package finds them: the server is the local messenger's face.
__all__ = [
    "BATCH",
    "MAX_MEDIA_BYTES",
    "MAX_TEXT_CHARS",
    "STATUS_CHAT",
    "LocalMessenger",
]


class LocalMessenger(Reading):
    """The server side of the local messenger; shared by every process on this machine."""

    def __init__(self, path: Path, *, stamp: Callable[[], datetime] | None = None) -> None:
        """`stamp`: the server's clock (the system's; a test's fake one, so that what citizens
        send is stamped in the test's time, as a real server stamps in real time)."""
        self.path = path
        self.stamp = stamp or SystemClock().now
        self.conn = connect(path)
        with_retry(lambda: ensure_schema(self.conn), conn=self.conn)

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
        check_chat(chat)
        check_size(text, media)
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

    def citizen_location(self, chat: str, lat: float, lon: float, *, name: str = "") -> str:
        """The citizen shares a location: kept as `LAT,LON`, like a messenger's own field."""
        check_chat(chat)
        text = f"{lat!r},{lon!r}"
        return self._insert(
            "message", chat, name, True, "location", text, None, None, "", None, None, None
        )

    def citizen_withdraw(self, chat: str) -> str:
        """The citizen deletes their last message for everyone, as a real messenger does:
        its content is gone from the server at once; the office gets a withdrawal event."""
        target = self._last_own(chat)
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE events SET type = 'withdrawn', kind = 'text', text = '', media = NULL,"
                " mime = NULL, filename = NULL, duration = NULL WHERE id = ?",
                (target,),
            )
            # Its earlier edits carried its text too.
            conn.execute("UPDATE events SET text = '' WHERE type = 'edit' AND ref = ?", (target,))
        self._insert(
            "withdraw", chat, "", True, "text", "", None, None, "", None, None, None, target
        )
        self._compact()
        return target

    def citizen_edit(self, chat: str, text: str) -> str:
        """The citizen replaces the text of their last message; the office gets the new one."""
        check_size(text, None)
        target = self._last_own(chat)
        with transaction(self.conn) as conn:
            conn.execute("UPDATE events SET text = ? WHERE id = ?", (text, target))
        self._insert("edit", chat, "", True, "text", text, None, None, "", None, None, None, target)
        self._compact()
        return target

    def citizen_leave(self, chat: str) -> str:
        """The citizen leaves the chat (or blocks the office): nothing sent there reaches them."""
        check_chat(chat)
        return self._insert("leave", chat, "", True, "text", "", None, None, "", None, None, None)

    def citizen_call(self, chat: str, *, name: str = "", video: bool = False) -> str:
        check_chat(chat)
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

    # --- what the server does for the office ------------------------------------------------

    def office_send(
        self,
        chat: str,
        text: str,
        key: str,
        *,
        kind: str = "text",
        media: bytes | None = None,
        mime: str | None = None,
        filename: str = "",
    ) -> str:
        # The "server" enforces its limits on both directions, like a real one.
        check_size(text, media)
        if self.has_left(chat):
            raise ProviderError(
                _("The citizen left this chat: the message cannot reach them."),
                _("Nothing to do unless they write again."),
            )
        return self._insert(
            "message", chat, "", False, kind, text, media, mime, filename, None, None, key
        )

    def set_call_state(self, call_id: str, state: str) -> bool:
        with transaction(self.conn) as conn:
            cur = conn.execute(
                "UPDATE events SET call_state = ? WHERE id = ? AND type = 'call'", (state, call_id)
            )
        return cur.rowcount == 1

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
        ref: str | None = None,
    ) -> str:
        # What secrets.token_hex(8) reads, without the hmac and OpenSSL hashing `secrets` loads.
        message_id = f"loc-{os.urandom(8).hex()}"
        with transaction(self.conn) as conn:
            if key is not None:
                row = conn.execute("SELECT id FROM events WHERE idem_key = ?", (key,)).fetchone()
                if row:  # a retried send: the server already has it, like a real idempotency key
                    return str(row["id"])
            conn.execute(
                "INSERT INTO events (id, type, chat, sender_name, to_office, kind, text, media,"
                " mime, filename, duration, at, call_state, idem_key, ref)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    self.stamp().astimezone(UTC).isoformat(),
                    call_state,
                    key,
                    ref,
                ),
            )
        return message_id
