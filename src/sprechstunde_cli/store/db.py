"""SQLite connections with the pragmas docs/ARCHITECTURE.md names, and a bounded wait on locks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sprechstunde_cli.domain.retry import Backoff
from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.system.files import private_dir, touch_private

T = TypeVar("T")

# Several processes share the store (open, tail, reply ×N). SQLite's own busy handler waits
# BUSY_TIMEOUT_MS; around it we retry whole transactions until LOCK_PATIENCE, so a user only
# ever sees a lock error after a genuinely stuck writer.
BUSY_TIMEOUT_MS = 5000
LOCK_PATIENCE_S = 30.0
# Jittered, so processes waiting for the same lock do not all come back at once.
LOCK_BACKOFF = Backoff(base=0.02, cap=0.5)


def connect(path: Path) -> sqlite3.Connection:
    private_dir(path.parent)
    # Made 0600 before SQLite opens it (SQLite would create it by the umask), and always, not
    # only when new: a store restored from a backup may arrive 0644, and SQLite gives the -wal
    # and -shm files the main file's mode.
    touch_private(path)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Two processes opening a brand-new store at once can meet a lock while one of them
        # switches it to WAL: retried like any other write.
        # secure_delete overwrites freed pages with zeros: deleted bodies do not linger in
        # free pages.
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = with_retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            raise StoreError(
                f"{path} cannot use write-ahead logging (mode {mode}).",
                "Keep the data dir on a local file system (set SPRECHSTUNDE_DATA_DIR).",
            )
        with_retry(lambda: conn.execute("PRAGMA synchronous = NORMAL"))
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():  # they stay while this connection is open
                touch_private(side)
    except BaseException:
        conn.close()  # a refused store must not keep its file open
        raise
    conn.row_factory = sqlite3.Row
    return conn


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def with_retry(fn: Callable[[], T], what: str = "the store") -> T:
    """Run fn, retrying on lock contention with backoff until LOCK_PATIENCE_S."""
    deadline = time.monotonic() + LOCK_PATIENCE_S
    attempt = 0
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise StoreError(
                    f"{what} stayed locked for {LOCK_PATIENCE_S:.0f} s ({exc}).",
                    "Another sprechstunde process holds a write lock; check `ps` for a stuck one.",
                ) from None
            time.sleep(LOCK_BACKOFF.delay(attempt))
            attempt += 1


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock mid-way."""
    with_retry(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        with_retry(lambda: conn.execute("COMMIT"))
