"""Several OS processes share one store: writers and a reader at once, no lock error surfaces."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Purpose
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.store import Store, outbox
from tests.support.clocks import IN_THE_HOUR

SID = "mittwoch"
WRITERS = 3
PER_WRITER = 150
SHARED = 20  # ids every writer submits: a re-delivery racing the first delivery
BATCH = 3

# Each child waits for the go file so that all of them really run at the same time.
WRITER = """
import json, sys, time
from datetime import datetime, timedelta
from pathlib import Path
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.store import Store

db, go, me, per, shared, batch = sys.argv[1], Path(sys.argv[2]), *map(int, sys.argv[3:7])
start = datetime.fromisoformat(sys.argv[7])
store = Store.open(Path(db))
Path(sys.argv[-1]).touch()  # ready
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
items = [(f"w{me}-{i}", f"w{me}-chat{i % 7}") for i in range(per)]
# The shared ids go in at the same positions in every writer, so they collide for real.
for j in range(shared):
    items.insert(j * (per // shared), (f"shared-{j}", f"shared-chat{j % 5}"))
stored = {"own": 0, "shared": 0}
for k in range(0, len(items), batch):
    with store.write() as conn:
        for pid, chat in items[k:k + batch]:
            got = store.add_inbound(conn, "mittwoch", provider_id=pid, chat=chat,
                                    display_name="", at=start + timedelta(seconds=k),
                                    kind=MessageKind.TEXT, body=f"text {pid}", media=None)
            if got is not None:
                stored["shared" if pid.startswith("shared") else "own"] += 1
store.close()
print(json.dumps(stored))
"""

READER = """
import json, sys, time
from pathlib import Path
from sprechstunde_cli.store import Store

db, go, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
store = Store.open(Path(db))
Path(sys.argv[-1]).touch()  # ready
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
reads = most = 0
for _ in range(100_000):
    rows = store.thread_rows("mittwoch")
    most = max(most, len(rows))
    reads += 1
    if stop.exists() or time.monotonic() > deadline:
        break
store.close()
print(json.dumps({"reads": reads, "most": most}))
"""


class Children:
    """Child processes that start together (a go file) and are never left running."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.go = tmp_path / "go"
        self.procs: list[subprocess.Popen[str]] = []

    def spawn(self, code: str, *args: object) -> subprocess.Popen[str]:
        ready = self.dir / f"ready-{len(self.procs)}"
        argv = [sys.executable, "-c", code, *map(str, args), str(ready)]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if all((self.dir / f"ready-{i}").exists() for i in range(len(self.procs))):
                break
            time.sleep(0.01)
        self.go.touch()

    def result(self, proc: subprocess.Popen[str]) -> str:
        """The child's stdout; it must exit 0 and print nothing to stderr (no lock error)."""
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert err == "", err
        return out

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture
def children(tmp_path: Path) -> Iterator[Children]:
    kids = Children(tmp_path)
    yield kids
    kids.stop()


def test_writers_and_a_reader_in_separate_processes_lose_and_double_nothing(
    tmp_path: Path, children: Children
) -> None:
    db = tmp_path / "data" / "sprechstunde.db"
    go, stop = children.go, tmp_path / "stop"
    store = Store.open(db)
    store.ensure_session(
        SessionSpec(SID, "Sprechstunde", "OB", IN_THE_HOUR, IN_THE_HOUR, "Europe/Berlin", "local")
    )
    writers = [
        children.spawn(WRITER, db, go, w, PER_WRITER, SHARED, BATCH, IN_THE_HOUR.isoformat())
        for w in range(WRITERS)
    ]
    reader = children.spawn(READER, db, go, stop)
    children.start()
    results = [json.loads(children.result(proc)) for proc in writers]
    stop.touch()
    read = json.loads(children.result(reader))

    assert [r["own"] for r in results] == [PER_WRITER] * WRITERS
    assert sum(r["shared"] for r in results) == SHARED  # each shared id won by exactly one
    ids = [r[0] for r in store.conn.execute("SELECT provider_id FROM messages")]
    expected = {f"w{w}-{i}" for w in range(WRITERS) for i in range(PER_WRITER)}
    expected |= {f"shared-{j}" for j in range(SHARED)}
    assert len(ids) == len(expected) == WRITERS * PER_WRITER + SHARED
    assert set(ids) == expected
    numbers = sorted(r.number for r in store.thread_rows(SID))
    assert numbers == list(range(1, WRITERS * 7 + 5 + 1))  # gap-free, no number twice
    assert read["reads"] > 1
    store.close()


LEASER = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from sprechstunde_cli.store import Store, outbox

db, go, now = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
store = Store.open(Path(db))
Path(sys.argv[-1]).touch()  # ready
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
mine = []
for _ in range(1000):
    items = outbox.lease(store, "mittwoch", now, 60, limit=4)
    if not items:
        break
    for item in items:
        outbox.complete(store, item, f"sent-{item.key}", now)
        mine.append(item.key)
store.close()
print(json.dumps(mine))
"""


def test_senders_in_separate_processes_each_take_a_different_outbox_row(
    tmp_path: Path, children: Children
) -> None:
    db = tmp_path / "data" / "sprechstunde.db"
    store = Store.open(db)
    store.ensure_session(
        SessionSpec(SID, "Sprechstunde", "OB", IN_THE_HOUR, IN_THE_HOUR, "Europe/Berlin", "local")
    )
    keys = [f"k{i}" for i in range(240)]
    with store.write() as conn:
        for key in keys:
            outbox.enqueue(
                store,
                conn,
                SID,
                thread=None,
                chat="c1",
                purpose=Purpose.AWAY,
                body="weg",
                key=key,
                now=IN_THE_HOUR,
            )
    senders = [children.spawn(LEASER, db, children.go, IN_THE_HOUR.isoformat()) for _ in range(3)]
    children.start()
    taken: list[str] = [key for proc in senders for key in json.loads(children.result(proc))]
    assert sorted(taken) == sorted(keys)  # every row sent, none by two processes
    assert outbox.counts(store, SID) == {outbox.SENT: len(keys)}
    store.close()
