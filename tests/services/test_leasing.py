"""The store's leases: one holder at a time, named; a silent holder's lease runs out."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.leases import Holder, session_lease
from sprechstunde_cli.errors import ConflictError
from sprechstunde_cli.services import leasing
from sprechstunde_cli.store import Store

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "data" / "store.db")


def test_a_holder_on_another_host_blocks_until_its_lease_runs_out(store: Store) -> None:
    elsewhere = Holder("a", 4242, "rathaus-pc", "open")
    here = leasing.me("open")
    name = session_lease("mittwoch")
    leasing.hold(store, name, elsewhere, NOW, "x", "y")

    with pytest.raises(ConflictError) as info:
        leasing.hold(store, name, here, NOW + timedelta(seconds=59), "Busy:", "Wait.")
    assert info.value.message == "Busy: `open` (process 4242 on rathaus-pc) holds it."
    assert info.value.hint == "Wait."
    # The other one renews: it keeps it.
    leasing.hold(store, name, elsewhere, NOW + timedelta(seconds=50), "x", "y")
    assert leasing.try_hold(store, name, here, NOW + timedelta(seconds=100)) == elsewhere
    # Silent for a minute: it is gone.
    assert leasing.try_hold(store, name, here, NOW + timedelta(seconds=111)) is None
    assert leasing.holder_of(store, name, NOW + timedelta(seconds=112)) == here


def test_a_dead_process_on_this_host_holds_nothing(store: Store) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = Holder("b", int(done.stdout), leasing.me("x").host, "standby")
    parent = Holder("c", os.getppid(), dead.host, "standby")
    name = session_lease("mittwoch")

    here = leasing.me("open")

    leasing.hold(store, name, dead, NOW, "x", "y")
    assert leasing.try_hold(store, name, here, NOW) is None  # its process is gone: taken over
    assert leasing.holder_of(store, name, NOW) == here
    other = session_lease("other")
    leasing.hold(store, other, parent, NOW, "x", "y")
    assert leasing.try_hold(store, other, here, NOW) == parent  # alive: kept


def test_release_gives_it_up_only_for_its_holder(store: Store) -> None:
    one, two = Holder("1", 1, "h1", "open"), Holder("2", 2, "h2", "open")
    name = session_lease("s")
    leasing.hold(store, name, one, NOW, "x", "y")
    leasing.release(store, name, two)
    assert leasing.holder_of(store, name, NOW) == one
    leasing.release(store, name, one)
    assert leasing.holder_of(store, name, NOW) is None
