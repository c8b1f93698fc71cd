"""Reading the local messenger's server: what the office and a citizen's phone look up there,
and the read receipts each side sets. `LocalMessenger` (server.py) builds on it; nothing here
adds an event, which is the server's own job (`LocalMessenger._insert`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.local.schema import BATCH
from sprechstunde_cli.store.db import transaction, with_retry

if TYPE_CHECKING:
    from sprechstunde_cli.providers.local.phone import PhoneEntry


class Reading:
    """The server's lookups over its one connection."""

    conn: sqlite3.Connection

    # --- what the office looks up -----------------------------------------------------------

    def events_after(self, seq: int, limit: int = BATCH) -> list[sqlite3.Row]:
        return with_retry(
            lambda: self.conn.execute(
                "SELECT seq, id, type, chat, sender_name, kind, text, mime, filename, duration, at,"
                " ref, LENGTH(media) AS size FROM events WHERE seq > ? AND to_office = 1"
                # A message withdrawn before the office saw it is gone, as on a real server.
                " AND type != 'withdrawn'"
                " ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        )

    def media(self, message_id: str) -> bytes | None:
        row = with_retry(
            lambda: self.conn.execute(
                "SELECT media FROM events WHERE id = ?", (message_id,)
            ).fetchone()
        )
        return bytes(row["media"]) if row and row["media"] is not None else None

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

    # --- what a citizen's phone looks up ----------------------------------------------------

    def has_left(self, chat: str) -> bool:
        """Whether the citizen's latest step was leaving (writing again brings them back)."""
        row = with_retry(
            lambda: self.conn.execute(
                "SELECT type FROM events WHERE chat = ? AND to_office = 1"
                " AND type IN ('message', 'leave') ORDER BY seq DESC LIMIT 1",
                (chat,),
            ).fetchone()
        )
        return row is not None and row["type"] == "leave"

    def _last_own(self, chat: str) -> str:
        row = with_retry(
            lambda: self.conn.execute(
                "SELECT id FROM events WHERE chat = ? AND to_office = 1 AND type = 'message'"
                " ORDER BY seq DESC LIMIT 1",
                (chat,),
            ).fetchone()
        )
        if row is None:
            raise ProviderError(
                _("The citizen {chat!r} has no message the office could see.").format(chat=chat),
                _("Send one first: sprechstunde sandbox send --from NAME TEXT"),
            )
        return str(row["id"])

    def phone(self, chat: str) -> list[PhoneEntry]:
        """Everything this citizen's phone shows, oldest first."""
        # Here, not at the top: only a sandbox citizen reads a phone, never the office.
        from sprechstunde_cli.providers.local.phone import phone_entries

        return phone_entries(self.conn, chat)

    def chats(self) -> list[str]:
        from sprechstunde_cli.providers.local.phone import all_chats  # as phone() above

        return all_chats(self.conn)

    # --- read receipts ----------------------------------------------------------------------

    def mark_read(self, chat: str, ids: Sequence[str]) -> None:
        with transaction(self.conn) as conn:
            conn.executemany(
                "UPDATE events SET read = 1 WHERE chat = ? AND id = ?", [(chat, i) for i in ids]
            )

    def citizen_read(self, chat: str) -> int:
        """The citizen's client shows the chat: like a real messenger it sends a read receipt
        for everything the office sent there. Returns how many were new."""
        with transaction(self.conn) as conn:
            cur = conn.execute(
                "UPDATE events SET read = 1 WHERE chat = ? AND to_office = 0 AND read = 0",
                (chat,),
            )
            return cur.rowcount

    def read_by_citizens(self, ids: Sequence[str]) -> frozenset[str]:
        """Which of the office's messages their citizen's client has marked read."""
        rows = with_retry(
            lambda: self.conn.execute(
                "SELECT id FROM events WHERE to_office = 0 AND read = 1"
            ).fetchall()
        )
        return frozenset(str(r["id"]) for r in rows) & frozenset(ids)
