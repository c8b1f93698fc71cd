"""What a sandbox citizen's phone shows of the local messenger."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.store.db import with_retry


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
    # The recipient has read it: the office (a citizen's message; the citizen sees a read
    # receipt), or the citizen's client (the office's message; the purge waits for it).
    read: bool = False
    filename: str = ""  # the name a file from the office shows on the phone


def phone_entries(conn: sqlite3.Connection, chat: str) -> list[PhoneEntry]:
    """Everything this citizen's phone shows, oldest first."""
    rows = with_retry(
        lambda: conn.execute(
            "SELECT id, type, to_office, kind, text, at, mime, LENGTH(media) AS size,"
            " call_state, read, filename FROM events WHERE chat = ?"
            # An edit shows in the message it changed, not as a line of its own.
            " AND type NOT IN ('withdraw', 'edit') ORDER BY seq",
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
            filename=r["filename"] or "",
        )
        for r in rows
    ]


def all_chats(conn: sqlite3.Connection) -> list[str]:
    rows = with_retry(
        lambda: conn.execute("SELECT DISTINCT chat FROM events ORDER BY chat").fetchall()
    )
    return [r["chat"] for r in rows]
