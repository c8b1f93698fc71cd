"""A store on a full disk, or one it may not write, made the way SQLite and the kernel refuse.

- `FullDisk`: `PRAGMA max_page_count` on the store's own connection. From `fill()` on, any write
  that needs one more page fails with SQLITE_FULL, SQLite's real "database or disk is full"
  (the same code its pager returns when the file system has no room); `make_room()` lifts it.
- `FullStores`: the same for a whole command, through `Wiring.open_store`.
- `DiskOfSize`: a `Sink` for `Store.open(sink=...)`: media bytes go to the file until `room`
  files were written, then to /dev/full, where the kernel itself answers ENOSPC.
- `read_only_store`: the store opened read-only (`mode=ro`), as SQLite opens a file whose mode
  forbids writing. chmod alone stops nobody when the tests run as root; this does, everywhere,
  and the writes fail with the same SQLITE_READONLY.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import BinaryIO

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.crypto import SessionKeys
from sprechstunde_cli.system.files import write_all
from sprechstunde_cli.system.paths import key_dir_for
from tests.support.clocks import StepTimer

DEV_FULL = Path("/dev/full")


class FullDisk:
    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        self.limit = int(self.conn.execute("PRAGMA max_page_count").fetchone()[0])

    def fill(self) -> int:
        """No page more than now; returns the free pages SQLite may still reuse."""
        pages = int(self.conn.execute("PRAGMA page_count").fetchone()[0])
        self.conn.execute(f"PRAGMA max_page_count = {pages}")
        return int(self.conn.execute("PRAGMA freelist_count").fetchone()[0])

    def make_room(self) -> None:
        self.conn.execute(f"PRAGMA max_page_count = {self.limit}")

    @property
    def page_size(self) -> int:
        return int(self.conn.execute("PRAGMA page_size").fetchone()[0])


class FullStores:
    """A store opener for `Wiring.open_store`: opens the store as every command does, then
    fills its disk. A timer of its own counts every wait for a lock."""

    def __init__(self) -> None:
        self.lock_timer = StepTimer()
        self.full: list[FullDisk] = []

    def __call__(self, path: Path, key_dir: Path, *, timer: Timer) -> Store:
        store = Store.open(path, key_dir, timer=self.lock_timer)
        disk = FullDisk(store)
        disk.fill()
        self.full.append(disk)
        return store

    def make_room(self) -> None:
        for disk in self.full:
            disk.make_room()


class DiskOfSize:
    """Room for `room` more files; then every write meets a full disk until `make_room()`."""

    def __init__(self, room: int = 0) -> None:
        self.room: int | None = room
        self.refused = 0

    def __call__(self, handle: BinaryIO, data: bytes) -> None:
        if self.room is not None and self.room <= 0:
            self.refused += 1
            with DEV_FULL.open("wb", buffering=0) as full:
                full.write(data)  # OSError(ENOSPC) from the kernel
        if self.room is not None:
            self.room -= 1
        write_all(handle, data)

    def make_room(self) -> None:
        self.room = None


def read_only_store(path: Path, key_dir: Path | None = None, *, timer: Timer) -> Store:
    conn = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return Store(conn, path, SessionKeys(key_dir or key_dir_for(path.parent)), timer=timer)
