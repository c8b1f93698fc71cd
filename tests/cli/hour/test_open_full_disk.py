"""`open` on a full disk or a read-only store: the exit code and words an operator sees, no
lock wait, and every message taken in exactly once when there is room again."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.store import Store
from tests.support.cli import Plugs, Sp
from tests.support.clocks import FakeClock, StepTimer
from tests.support.disk import FullStores, read_only_store

LONG = "Meine Frage zur Straßenbeleuchtung in der Gartenstraße. " + "Danke! " * 700
CITIZENS = 5


def _write(sp: Sp) -> None:
    for n in range(CITIZENS):
        sp("sandbox", "send", "--from", f"c{n}", f"{n}: {LONG}")


def _stored_once(sp: Sp) -> None:
    """One thread per citizen, each greeted once."""
    rows = [json.loads(line) for line in sp("threads", "--json").stdout.splitlines()]
    assert len(rows) == CITIZENS
    for n in range(CITIZENS):
        inbox = sp("sandbox", "inbox", "--as", f"c{n}", "--json").stdout.splitlines()
        texts = [json.loads(line)["text"] for line in inbox if json.loads(line)["from_office"]]
        assert sum(t.startswith("Guten Tag und willkommen") for t in texts) == 1


def test_open_once_on_a_full_disk_exits_11_naming_the_folder_and_the_fix(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs, isolated: Path
) -> None:
    sp("open", "--once")
    _write(sp)
    disks = FullStores()
    plugs.open_store = disks
    result = sp("open", "--once", expect=ExitCode.NO_SPACE)
    data = isolated / "data"
    error, hint = result.stderr.splitlines()
    # Which words depends on what the disk reports free (tests/system/test_disk.py has both);
    # here only SQLite's page limit is reached, so the disk itself may well have room.
    assert error.startswith("Error: ") and f" {data}" in error
    assert re.search(r" \d+(\.\d)? [MG]B free", error)
    assert error.endswith("; nothing new could be saved.")
    assert hint.startswith("Hint: ") and "at least 100 MB" in hint
    assert hint.endswith("then run the command again.")
    assert "lock" not in result.stderr
    assert disks.lock_timer.slept == []
    # Nothing half-taken: no thread yet, and the messenger still holds every message.
    plugs.open_store = None
    assert sp("threads", "--json").stdout == ""
    result = sp("open", "--once")
    assert f"{CITIZENS} new message(s)." in result.stdout
    assert "new message" not in sp("open", "--once").stdout
    _stored_once(sp)


def test_open_on_a_read_only_store_exits_9_naming_the_folder_to_make_writable(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs, isolated: Path
) -> None:
    sp("open", "--once")
    _write(sp)
    lock_timer = StepTimer()

    def read_only(path: Path, key_dir: Path, *, timer: object) -> Store:
        return read_only_store(path, key_dir, timer=lock_timer)

    plugs.open_store = read_only
    result = sp("open", "--once", expect=ExitCode.STORE)
    data = isolated / "data"
    assert result.stderr.splitlines() == [
        f"Error: {data} cannot be written (it is read-only); nothing new could be saved.",
        f"Hint: Make {data} and the files in it writable for the user running sprechstunde (or "
        "mount the disk writable again), then run the command again.",
    ]
    assert lock_timer.slept == []
    plugs.open_store = None
    assert f"{CITIZENS} new message(s)." in sp("open", "--once").stdout
    _stored_once(sp)


# Far more beats than the hour here needs (about 40): past them the rig closes the session
# itself, so a bug that keeps the messages out fails the test instead of hanging it.
MAX_BEATS = 200


class Beats(StepTimer):
    """The running `open`'s idle time, with the session clock moving one second a beat, and
    what the operator does meanwhile: free space at beat `room_at` (None: never), close the
    hour once all is in, or after MAX_BEATS anyway (`gave_up`)."""

    def __init__(
        self, clock: FakeClock, disks: FullStores, store_file: Path, room_at: int | None = 20
    ) -> None:
        super().__init__()
        self.clock, self.disks, self.store_file = clock, disks, store_file
        self.room_at = room_at
        self.beats = 0
        self.closed = False
        self.gave_up = False

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.clock.advance(seconds=1)
        self.beats += 1
        if self.beats == self.room_at:
            self.disks.make_room()
        if self.closed:
            return
        if self.beats >= MAX_BEATS:
            self.gave_up = True
            self._close()
        elif self.room_at is not None and self.beats > self.room_at and self._all_in():
            self._close()

    def assert_all_in(self) -> None:
        assert not self.gave_up, (
            f"`open` had not taken in all {CITIZENS} messages after {MAX_BEATS} beats "
            f"({self.room_at} with a full disk); the test closed the session to stop it"
        )

    def _all_in(self) -> bool:
        store = Store.open(self.store_file)
        try:
            return len(store.thread_rows("mittwoch")) == CITIZENS
        finally:
            store.close()

    def _close(self) -> None:
        # What `sprechstunde close` in another terminal does first; `open` stops at its next step.
        store = Store.open(self.store_file)
        try:
            now: datetime = self.clock.now()
            store.transition("mittwoch", SessionState.CLOSING, now, "other terminal")
        finally:
            store.close()
        self.closed = True


def test_plain_open_says_it_once_keeps_running_and_says_when_there_is_room_again(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs, isolated: Path
) -> None:
    sp("open", "--once")
    _write(sp)
    disks = FullStores()
    beats = Beats(clock, disks, isolated / "data" / "sprechstunde.db")
    plugs.open_store, plugs.timer = disks, beats
    result = sp("open", "--plain")
    beats.assert_all_in()
    assert beats.closed
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1  # said when it began, not at every poll
    assert warnings[0].startswith("Warning: ") and str(isolated / "data") in warnings[0]
    assert "nothing new could be saved." in warnings[0]
    assert "run the command again" not in warnings[0]  # it need not: it goes on by itself
    assert warnings[0].endswith(
        "there. `open` keeps trying by itself: there is no need to restart it."
    )
    out = result.stdout.splitlines()
    again = out.index("Saving works again: the waiting messages are being saved now.")
    assert f"{CITIZENS} new message(s)." in out[again:]
    assert "Session 'mittwoch' is closing; `open` stops here." in out
    assert disks.lock_timer.slept == []


def test_the_beats_give_up_instead_of_hanging_when_the_messages_never_come_in(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs, isolated: Path
) -> None:
    # The guard of the test above: the disk is never freed, so nothing comes in.
    sp("open", "--once")
    _write(sp)
    disks = FullStores()
    beats = Beats(clock, disks, isolated / "data" / "sprechstunde.db", room_at=None)
    plugs.open_store, plugs.timer = disks, beats
    sp("open", "--plain")
    assert beats.gave_up and beats.beats == MAX_BEATS
    with pytest.raises(AssertionError, match=f"after {MAX_BEATS} beats"):
        beats.assert_all_in()
