"""Several OS processes share one store: writers and a reader at once, no lock error surfaces."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import IN_THE_HOUR
from sprechstunde_cli.domain.model import SessionSpec
from sprechstunde_cli.store import Store

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


def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_writers_and_a_reader_in_separate_processes_lose_and_double_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "data" / "sprechstunde.db"
    go, stop = tmp_path / "go", tmp_path / "stop"
    store = Store.open(db)
    store.ensure_session(
        SessionSpec(SID, "Sprechstunde", "OB", IN_THE_HOUR, IN_THE_HOUR, "Europe/Berlin", "local")
    )
    writers = [
        spawn(WRITER, db, go, w, PER_WRITER, SHARED, BATCH, IN_THE_HOUR.isoformat())
        for w in range(WRITERS)
    ]
    reader = spawn(READER, db, go, stop)
    time.sleep(0.5)  # let the interpreters start; they wait for the go file
    go.touch()
    results = []
    started = time.monotonic()
    for proc in writers:
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert err == "", err  # no retry warning, no lock error, nothing at all
        results.append(json.loads(out))
    stop.touch()
    out, err = reader.communicate(timeout=20)
    assert reader.returncode == 0, err
    assert err == ""
    elapsed = time.monotonic() - started
    read = json.loads(out)

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
    assert elapsed < 20
    store.close()


LEASER = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from sprechstunde_cli.store import Store, outbox

db, go, now = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
store = Store.open(Path(db))
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
    tmp_path: Path,
) -> None:
    from sprechstunde_cli.domain.model import Purpose
    from sprechstunde_cli.store import outbox

    db = tmp_path / "data" / "sprechstunde.db"
    go = tmp_path / "go"
    store = Store.open(db)
    store.ensure_session(
        SessionSpec(SID, "Sprechstunde", "OB", IN_THE_HOUR, IN_THE_HOUR, "Europe/Berlin", "local")
    )
    keys = [f"k{i}" for i in range(240)]
    with store.write() as conn:
        for key in keys:
            outbox.enqueue(
                conn,
                SID,
                thread=None,
                chat="c1",
                purpose=Purpose.AWAY,
                body="weg",
                key=key,
                now=IN_THE_HOUR,
            )
    senders = [spawn(LEASER, db, go, IN_THE_HOUR.isoformat()) for _ in range(3)]
    time.sleep(0.5)
    go.touch()
    taken: list[str] = []
    for proc in senders:
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert err == ""
        taken += json.loads(out)
    assert sorted(taken) == sorted(keys)  # every row sent, none by two processes
    assert outbox.counts(store, SID) == {outbox.SENT: len(keys)}
    store.close()
