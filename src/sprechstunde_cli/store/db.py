"""SQLite connections with the pragmas docs/ARCHITECTURE.md names, and a bounded wait on locks."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system import disk
from sprechstunde_cli.system.clock import SYSTEM_TIMER
from sprechstunde_cli.system.files import private_dir, touch_private

T = TypeVar("T")

# Several processes share the store (open, tail, reply ×N). SQLite's own busy handler waits
# BUSY_TIMEOUT_MS; around it we retry whole transactions until LOCK_PATIENCE, so a user only
# ever sees a lock error after a genuinely stuck writer.
BUSY_TIMEOUT_MS = 5000
# How many migrations store/migrations.py has (tests/store/test_migrations.py keeps the two
# equal): a store at this version opens without loading the migration steps.
SCHEMA_VERSION = 11
LOCK_PATIENCE_S = 30.0
# Jittered, so processes waiting for the same lock do not all come back at once (seconds).
LOCK_BACKOFF_BASE, LOCK_BACKOFF_CAP = 0.02, 0.5

# SQLite's primary result codes (the low byte of the extended code Python reports).
_BUSY, _LOCKED = sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED
_FULL, _READONLY = sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY
_CANTOPEN, _PERM, _IOERR = sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR
# SQLite reports some writes on a full disk (growing the shared-memory file) as an I/O error:
# below this much free space, that is what it was.
_NEARLY_FULL = 2**20


def schema_current(conn: sqlite3.Connection) -> bool:
    """Whether the ledger holds exactly migrations 1 to SCHEMA_VERSION: nothing to migrate."""
    try:
        count, top = conn.execute("SELECT COUNT(*), MAX(version) FROM schema_migrations").fetchone()
    except sqlite3.OperationalError:
        return False  # no ledger yet (a new store), or busy: `migrate` looks, and waits
    # Versions are distinct and start at 1: as many as the highest means all of them.
    return bool(count == top == SCHEMA_VERSION)


def connect(path: Path, timer: Timer = SYSTEM_TIMER) -> sqlite3.Connection:
    with disk.named(path.parent):  # a read-only disk refuses even the folder's mode
        private_dir(path.parent)
        # Made 0600 before SQLite opens it (SQLite would create it by the umask), and always,
        # not only when new: a store restored from a backup may arrive 0644, and SQLite gives
        # the -wal and -shm files the main file's mode.
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
        wal = "PRAGMA journal_mode = WAL"
        mode = with_retry(lambda: conn.execute(wal).fetchone()[0], conn=conn, timer=timer)
        if str(mode).lower() != "wal":
            raise StoreError(
                _("{path} cannot use write-ahead logging (mode {mode}).").format(
                    path=path, mode=mode
                ),
                _("Keep the data dir on a local file system (set SPRECHSTUNDE_DATA_DIR)."),
            )
        with_retry(lambda: conn.execute("PRAGMA synchronous = NORMAL"), conn=conn, timer=timer)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():  # they stay while this connection is open
                with disk.named(path.parent):
                    touch_private(side)
    except BaseException:
        conn.close()  # a refused store must not keep its file open
        raise
    conn.row_factory = sqlite3.Row
    return conn


def _code(exc: sqlite3.Error) -> int:
    # Python reports the extended code (SQLITE_READONLY_DBMOVED …); its low byte is the kind.
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def _file_of(conn: sqlite3.Connection | None) -> Path | None:
    """The main database file of `conn` (no disk access: SQLite keeps the name)."""
    if conn is None:
        return None
    try:
        for row in conn.execute("PRAGMA database_list").fetchall():
            if row[1] == "main" and row[2]:
                return Path(row[2])
    except sqlite3.Error:
        return None
    return None


def explain(exc: sqlite3.Error, conn: sqlite3.Connection | None) -> StoreError | None:
    """A full disk or a store that cannot be written, named as such; None for anything else.
    Decided by SQLite's result code, never by the English text of its message."""
    code = _code(exc)
    path = _file_of(conn) if code in (_FULL, _IOERR, _READONLY, _CANTOPEN, _PERM) else None
    if path is None:
        return None
    folder = path.parent
    if code == _FULL:
        return disk.disk_full(folder)
    if code == _IOERR:
        free = disk.free_bytes(folder)
        return disk.disk_full(folder) if free is not None and free < _NEARLY_FULL else None
    if code == _CANTOPEN and os.access(folder, os.W_OK):
        return None  # a missing or damaged file, not a refused write
    return disk.not_writable(folder)


def checkpoint(
    conn: sqlite3.Connection, what: str = "the store", *, timer: Timer = SYSTEM_TIMER
) -> bool:
    """Fold the WAL back into the main file and truncate it, so deleted or overwritten bytes
    stay in neither; False when a reader of an older snapshot kept it from finishing (each
    caller decides what that means for it)."""
    busy = with_retry(
        lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0],
        what,
        conn=conn,
        timer=timer,
    )
    return not busy


def with_retry(
    fn: Callable[[], T],
    what: str = "the store",
    *,
    conn: sqlite3.Connection | None = None,
    timer: Timer = SYSTEM_TIMER,
) -> T:
    """Run fn, retrying only on lock contention (SQLITE_BUSY, SQLITE_LOCKED) with backoff until
    LOCK_PATIENCE_S. A full disk or a read-only store fails at once, named as what it is:
    waiting would not free a byte. `conn` names the store's folder in that error."""
    deadline = timer.monotonic() + LOCK_PATIENCE_S
    attempt = 0
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (_BUSY, _LOCKED):
                raise explain(exc, conn) or _failed(what, exc) from None
            if timer.monotonic() > deadline:
                raise StoreError(
                    _("{what} stayed locked for {LOCK_PATIENCE_S:.0f} s ({exc}).").format(
                        what=what, LOCK_PATIENCE_S=LOCK_PATIENCE_S, exc=exc
                    ),
                    _(
                        "Another sprechstunde process holds a write lock; check `ps` for a stuck "
                        "one."
                    ),
                ) from None
            # Imported on the first wait only: most commands never meet a lock (startup).
            from sprechstunde_cli.domain.retry import Backoff

            timer.sleep(Backoff(LOCK_BACKOFF_BASE, LOCK_BACKOFF_CAP).delay(attempt))
            attempt += 1


def _failed(what: str, exc: sqlite3.Error) -> StoreError:
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return StoreError(
        _("{what} failed: {exc} ({name}).").format(what=what, exc=exc, name=name),
        _(
            "Check the data dir (SPRECHSTUNDE_DATA_DIR): it must be on a local, healthy disk. "
            "Run `sprechstunde doctor` for details."
        ),
    )


@contextmanager
def transaction(
    conn: sqlite3.Connection, timer: Timer = SYSTEM_TIMER
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock mid-way.

    All or nothing: whatever fails inside, or at COMMIT, is rolled back before the error goes
    on, so no half-written batch stays behind and the write lock is never kept. A full disk or a
    read-only store inside becomes its named error."""
    with_retry(lambda: conn.execute("BEGIN IMMEDIATE"), conn=conn, timer=timer)
    try:
        yield conn
    except sqlite3.Error as exc:
        rollback(conn)
        problem = explain(exc, conn)
        if problem is None:
            raise
        raise problem from None
    except BaseException:
        rollback(conn)
        raise
    try:
        with_retry(lambda: conn.execute("COMMIT"), conn=conn, timer=timer)
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open. SQLite itself rolls a transaction back on SQLITE_FULL (and
    some I/O errors): a second ROLLBACK would fail and hide the real error."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
