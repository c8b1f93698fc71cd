"""A full disk or a read-only store is named at once; only a real lock waits for the lock."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.errors import DiskFullError, ExitCode, ReadOnlyError, StoreError
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.db import LOCK_PATIENCE_S
from tests.support.clocks import StepTimer
from tests.support.disk import FullDisk, read_only_store

BIG = "x" * 50_000  # needs a dozen new pages whatever SQLite still has free


@pytest.fixture
def timer() -> StepTimer:
    return StepTimer()


@pytest.fixture
def store(tmp_path: Path, timer: StepTimer) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data" / "sprechstunde.db", timer=timer)
    with opened.write() as conn:
        conn.execute("CREATE TABLE scratch (body TEXT)")
    yield opened
    opened.close()


def _rows(store: Store) -> int:
    return int(store.conn.execute("SELECT COUNT(*) FROM scratch").fetchone()[0])


def test_a_full_disk_is_named_at_once_with_the_folder_and_the_room_to_free(
    store: Store, timer: StepTimer, tmp_path: Path
) -> None:
    disk = FullDisk(store)
    assert disk.fill() * disk.page_size < len(BIG)  # the write really needs new pages
    with pytest.raises(DiskFullError) as err, store.write() as conn:
        conn.execute("INSERT INTO scratch VALUES ('kept only with the next row')")
        conn.execute("INSERT INTO scratch VALUES (?)", (BIG,))
    assert err.value.exit_code is ExitCode.NO_SPACE
    # Which words depends on what the disk reports free (tests/system/test_disk.py has both).
    assert f" {tmp_path / 'data'}" in err.value.message
    assert re.search(r" \d+(\.\d)? [MG]B free", err.value.message)
    assert err.value.message.endswith("; nothing new could be saved.")
    assert "at least 100 MB" in err.value.hint
    assert "lock" not in err.value.message + err.value.hint
    assert timer.slept == []  # no lock wait: waiting frees no byte
    assert _rows(store) == 0  # all or nothing: the small row went with the big one


def test_after_a_full_disk_the_write_lock_is_free_and_the_next_write_succeeds(
    store: Store, tmp_path: Path
) -> None:
    disk = FullDisk(store)
    disk.fill()
    with pytest.raises(DiskFullError), store.write() as conn:
        conn.execute("INSERT INTO scratch VALUES (?)", (BIG,))
    # SQLite rolled the transaction back itself; a second ROLLBACK used to hide the error, and
    # a transaction left open kept the write lock: every other process then "stayed locked".
    assert not store.conn.in_transaction
    other = sqlite3.connect(tmp_path / "data" / "sprechstunde.db", timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # at once, or "database is locked"
        other.execute("ROLLBACK")
    finally:
        other.close()
    disk.make_room()
    with store.write() as conn:
        conn.execute("INSERT INTO scratch VALUES (?)", (BIG,))
    assert _rows(store) == 1


def test_a_read_only_store_is_named_at_once_with_the_folder_to_make_writable(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "sprechstunde.db"
    timer = StepTimer()
    read_only = read_only_store(path, timer=timer)
    try:
        with pytest.raises(ReadOnlyError) as err, read_only.write() as conn:
            conn.execute("INSERT INTO scratch VALUES ('x')")
        assert err.value.exit_code is ExitCode.STORE
        assert err.value.message == (
            f"{tmp_path / 'data'} cannot be written (it is read-only); nothing new could be saved."
        )
        assert err.value.hint.startswith(f"Make {tmp_path / 'data'} and the files in it writable")
        assert timer.slept == []
        assert not read_only.conn.in_transaction
        assert read_only.cursor("none") is None  # reading still works
    finally:
        read_only.close()


def test_only_a_real_lock_waits_for_the_lock_timeout(store: Store, timer: StepTimer) -> None:
    # SQLite's own busy handler would wait 5 s of real time per try; the retries around it run
    # on the injected timer, which is what this test counts.
    store.conn.execute("PRAGMA busy_timeout = 0")
    holder = sqlite3.connect(store.path, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as err, store.write():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not isinstance(err.value, DiskFullError | ReadOnlyError)
    assert f"stayed locked for {LOCK_PATIENCE_S:.0f} s" in err.value.message
    assert "Another sprechstunde process holds a write lock" in err.value.hint
    assert sum(timer.slept) >= LOCK_PATIENCE_S


def test_other_failures_are_not_called_a_lock(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.write() as conn:
        conn.execute("INSERT INTO sessions (id) VALUES ('no title')")  # a bug stays a bug
    assert not store.conn.in_transaction
    with pytest.raises(StoreError) as err:
        store._read("SELECT * FROM no_such_table")
    assert "locked" not in err.value.message
    assert "no such table" in err.value.message
