"""The store's foundation: the connection, transactions, and content sealed at rest."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.crypto import SessionKeys
from sprechstunde_cli.store.db import connect, schema_current, transaction, with_retry
from sprechstunde_cli.system import disk
from sprechstunde_cli.system.clock import SYSTEM_TIMER
from sprechstunde_cli.system.files import Sink, write_all, write_private
from sprechstunde_cli.system.paths import key_dir_for

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo

# The context a file's name as given is sealed under (display-only, like the body).
MEDIA_NAME = "media.name"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class StoreBase:
    """`timer` paces the waits for another process's lock; `sink` writes the media files'
    bytes (the wiring's, so a test can fill the disk under them)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        keys: SessionKeys,
        *,
        timer: Timer = SYSTEM_TIMER,
        sink: Sink = write_all,
    ) -> None:
        self.conn = conn
        self.path = path
        self.keys = keys
        self.timer = timer
        self.sink = sink

    @classmethod
    def open(
        cls,
        path: Path,
        key_dir: Path | None = None,
        *,
        timer: Timer = SYSTEM_TIMER,
        sink: Sink = write_all,
    ) -> Self:
        keys = SessionKeys(key_dir or key_dir_for(path.parent))
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(path, timer)
            if not schema_current(conn):
                # Only a new or older store loads the steps (and what sealing old rows needs).
                from sprechstunde_cli.store.migrations import migrate

                opened = conn
                with_retry(
                    lambda: migrate(opened, keys, timer),
                    "the store's schema",
                    conn=conn,
                    timer=timer,
                )
        except BaseException as exc:
            # A refused store (newer schema, damaged file) must not keep its file handle open.
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(
                    _("Cannot open the store at {path}: {exc}.").format(path=path, exc=exc),
                    _("Check the data dir (SPRECHSTUNDE_DATA_DIR) and its permissions."),
                ) from None
            raise
        return cls(conn, path, keys, timer=timer, sink=sink)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- content at rest: bodies and media are sealed with the session's key ----------------

    def seal(self, session_id: str, text: str, context: str = "body") -> bytes:
        return self.keys.seal(session_id, text.encode(), context)

    def unseal(self, session_id: str, blob: bytes | str | None, context: str = "body") -> str:
        if not blob:
            return ""
        if isinstance(blob, str):  # written before encryption existed: nothing to open
            return blob
        return self.keys.unseal(session_id, bytes(blob), context).decode()

    def seal_media_name(self, session_id: str, media: MediaInfo | None) -> bytes | None:
        """A file's name as given is display-only content: sealed like the body, or NULL."""
        return self.seal(session_id, media.name, MEDIA_NAME) if media and media.name else None

    def write_media(self, session_id: str, path: Path, data: bytes) -> None:
        sealed = self.keys.seal(session_id, data, "media")
        with disk.named(path.parent, len(sealed)):  # also a media folder we may not write
            write_private(path, sealed, sink=self.sink)

    def read_media(self, session_id: str, path: Path) -> bytes:
        return self.keys.unseal(session_id, path.read_bytes(), "media")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn, self.timer) as conn:
            yield conn

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return with_retry(
            lambda: self.conn.execute(sql, params).fetchall(), conn=self.conn, timer=self.timer
        )
