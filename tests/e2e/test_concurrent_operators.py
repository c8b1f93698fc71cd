"""`open`, `tail` and three operators replying, as real processes on one store, for a few seconds.

Citizens keep writing while three operators run `reply` on threads picked at random, so they
collide on claims. Afterwards: no process showed a lock error (or any error but a claim
refusal), every citizen message is stored once and was printed by `tail` once, every reply the
CLI reported reached its citizen once, and every reply in a thread came from its claimant.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

import pytest

from sprechstunde_cli.domain.model import Direction, Purpose
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.store import Store, outbox
from tests.support import crash_entry
from tests.support.clocks import FakeClock
from tests.support.faults import seed_for_run

ENTRY = Path(crash_entry.__file__)
WRITE_SECONDS = 5.0
OPERATORS = ("op1", "op2", "op3")
CITIZENS = 20


class Processes:
    def __init__(self, root: Path, clock: FakeClock) -> None:
        self.root = root
        self.start = clock.now().isoformat()
        self.running: list[subprocess.Popen[str]] = []
        self.files: list[IO[str]] = []

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, str(ENTRY), "none", "before", "0", "--", *args]

    def env(self, operator: str) -> dict[str, str]:
        return {
            **os.environ,
            "SPRECHSTUNDE_OPERATOR": operator,
            "SPRECHSTUNDE_TEST_CLOCK_START": self.start,
        }

    def spawn(self, name: str, *args: str) -> subprocess.Popen[str]:
        out, err = (self.root / f"{name}.out").open("w"), (self.root / f"{name}.err").open("w")
        self.files += [out, err]
        proc = subprocess.Popen(self.argv(*args), env=self.env("anna"), stdout=out, stderr=err)
        self.running.append(proc)
        return proc

    def run(self, operator: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), env=self.env(operator), capture_output=True, text=True, timeout=60
        )

    def stop(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for file in self.files:
            file.close()


@pytest.fixture
def processes(isolated: Path, config_file: Path, clock: FakeClock) -> Iterator[Processes]:
    procs = Processes(isolated, clock)
    yield procs
    procs.stop()


def wait_for(check: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_open_tail_and_three_repliers_share_the_store(processes: Processes, isolated: Path) -> None:
    rng = random.Random(seed_for_run())
    data = isolated / "data"
    open_ = processes.spawn("open", "open", "--plain")
    assert wait_for(lambda: (data / "sprechstunde.db").exists() and _is_open(data), 30)
    tail = processes.spawn("tail", "tail", "--json", "--lines", "1000000")

    sent: list[str] = []
    replies: list[tuple[str, int, str, subprocess.CompletedProcess[str]]] = []
    stop = threading.Event()

    def citizens() -> None:
        # The messenger stamps in the processes' time: it started where the test's clock is.
        clock = crash_entry.running_clock(datetime.fromisoformat(processes.start))
        messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
        try:
            while not stop.is_set():
                handle = f"+49 000 00001{rng.randrange(CITIZENS):02d}"
                text = f"Frage {len(sent)} von {handle[-2:]}"
                messenger.citizen_send(handle, text)
                sent.append(text)
                time.sleep(0.01)
        finally:
            messenger.close()

    def operator(name: str, pick: random.Random) -> None:
        first = name != "op1"  # op2 and op3 start with thread 1, which op1 has claimed
        while not stop.is_set():
            threads = _thread_count(data)
            if not threads:
                time.sleep(0.05)
                continue
            number = 1 if first else pick.randint(1, min(threads, 4))  # busy threads collide
            first = False
            text = f"Antwort {name}-{len(replies)} an {number}"
            replies.append((name, number, text, processes.run(name, "reply", str(number), text)))

    workers = [threading.Thread(target=citizens)]
    workers[0].start()
    assert wait_for(lambda: _thread_count(data) > 0, 30)
    claimed = processes.run("op1", "claim", "1")
    assert claimed.returncode == 0, claimed.stderr
    workers += [
        threading.Thread(target=operator, args=(name, random.Random(rng.random())))
        for name in OPERATORS
    ]
    for worker in workers[1:]:
        worker.start()
    time.sleep(WRITE_SECONDS)
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
    assert wait_for(lambda: _settled(data, len(sent)), 60), "open did not catch up"
    time.sleep(1.0)  # one more round for tail
    for proc in (open_, tail):
        proc.send_signal(signal.SIGINT)
    assert open_.wait(timeout=30) == 130  # "Left session open" after Ctrl-C
    assert tail.wait(timeout=30) == 0

    # No process showed a user anything but a claim refusal.
    open_err = (isolated / "open.err").read_text()
    tail_err = (isolated / "tail.err").read_text()
    assert "locked" not in open_err + tail_err
    assert [ln for ln in open_err.splitlines() if ln and "Interrupted" not in ln] == []
    assert tail_err == ""
    outcomes = Counter(proc.returncode for *_, proc in replies)
    assert set(outcomes) <= {0, 8}, [p.stderr for *_, p in replies if p.returncode not in (0, 8)]
    for *_, proc in replies:
        assert "locked" not in proc.stderr
        if proc.returncode == 8:
            assert "is claimed by" in proc.stderr
    accepted = [(name, n, text) for name, n, text, proc in replies if proc.returncode == 0]
    assert len(replies) >= 4 and accepted and outcomes[8] >= 1, outcomes

    store = Store.open(data / "sprechstunde.db")
    try:
        messages = store.messages("mittwoch", limit=10**6)
        inbound = Counter(m.body for m in messages if m.direction is Direction.IN)
        assert inbound == Counter(sent)  # nothing lost, nothing twice
        printed = [json.loads(line) for line in (isolated / "tail.out").read_text().splitlines()]
        assert Counter(p["id"] for p in printed) == Counter(m.id for m in messages)
        # Claims: every reply in a thread came from the operator holding its claim.
        for m in messages:
            if m.purpose is Purpose.REPLY:
                assert m.operator == store.thread("mittwoch", m.thread).claimed_by
        assert outbox.counts(store, "mittwoch") == {
            outbox.SENT: outbox.counts(store, "mittwoch")[outbox.SENT]
        }
        chats = {n: store.thread("mittwoch", n).chat for _, n, _ in accepted}
    finally:
        store.close()
    messenger = LocalMessenger(data / "local-messenger.db")
    try:
        for _, number, text in accepted:
            shown = [e.text for e in messenger.phone(chats[number]) if e.incoming]
            assert shown.count(text) == 1
    finally:
        messenger.close()
    print(f"{len(sent)} messages, replies: {dict(outcomes)} (0 sent, 8 refused: claimed)")


def _is_open(data: Path) -> bool:
    store = Store.open(data / "sprechstunde.db")
    try:
        session = store.session("mittwoch")
        return session is not None and session.state.value == "open"
    finally:
        store.close()


def _thread_count(data: Path) -> int:
    store = Store.open(data / "sprechstunde.db")
    try:
        return len(store.thread_rows("mittwoch"))
    finally:
        store.close()


def _settled(data: Path, expected: int) -> bool:
    store = Store.open(data / "sprechstunde.db")
    try:
        counts = outbox.counts(store, "mittwoch")
        stored = sum(
            1 for m in store.messages("mittwoch", limit=10**6) if m.direction is Direction.IN
        )
        return (
            stored == expected and not counts.get(outbox.PENDING) and not counts.get(outbox.SENDING)
        )
    finally:
        store.close()
