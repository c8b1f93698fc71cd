"""The local messenger's file: its one table, the limits its "server" enforces."""

from __future__ import annotations

import sqlite3

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.db import transaction

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


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(_SCHEMA)
    # A withdrawal or an edit names the message it changes; older files lack the column.
    if "ref" not in {r["name"] for r in conn.execute("PRAGMA table_info(events)")}:
        with transaction(conn) as locked:
            if "ref" not in {r["name"] for r in locked.execute("PRAGMA table_info(events)")}:
                locked.execute("ALTER TABLE events ADD COLUMN ref TEXT")


def check_size(text: str, media: bytes | None) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ProviderError(
            _("The local messenger takes at most {limit} characters.").format(limit=MAX_TEXT_CHARS),
            _("Send a shorter text."),
        )
    if media is not None and len(media) > MAX_MEDIA_BYTES:
        raise ProviderError(
            _("The local messenger takes files up to {size}.").format(size=_size(MAX_MEDIA_BYTES)),
            _("Send a smaller file."),
        )


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n} bytes"


def check_chat(chat: str) -> None:
    if not chat or len(chat) > 128:
        raise ProviderError(
            _("A citizen's handle must be 1 to 128 characters."),
            _("Pick a short handle such as c1 or anna."),
        )
