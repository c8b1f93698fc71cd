"""The rehearsal end to end, as a new user runs it: `sprechstunde demo --fast`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sprechstunde_cli.services.demo import CITIZENS, REPLIES
from sprechstunde_cli.store import Store


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "sprechstunde_cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def phone(data_dir: Path, handle: str) -> list[dict[str, object]]:
    result = run("--data-dir", str(data_dir), "sandbox", "inbox", "--as", handle, "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def from_office(entries: list[dict[str, object]]) -> list[str]:
    return [str(e["text"]) for e in entries if e["from_office"]]


def test_demo_outcome_from_the_citizens_side_and_the_store(tmp_path: Path) -> None:
    workdir = tmp_path / "rehearsal"
    result = run("demo", "--fast", "--workdir", str(workdir), "--keep-data")
    assert result.returncode == 0, result.stderr
    assert "Done: 6 threads, 7 messages in, 5 replies, 1 call(s) refused, 1 late" in result.stdout
    assert "1 message(s) withdrawn by the citizen: deleted here too." in result.stdout
    assert "1 message(s) edited by the citizen: the new text is shown." in result.stdout
    data = workdir / "data"
    replies = {cue.handle: cue.text for cue in REPLIES}
    in_the_hour = {c.handle for c in CITIZENS if c.handle != "gustav"}
    for handle in in_the_hour:
        texts = from_office(phone(data, handle))
        assert sum(t.startswith("Guten Tag und willkommen") for t in texts) == 1, handle
        if handle in replies:
            assert replies[handle] in texts, handle
            assert not any("Die Sprechstunde ist beendet" in t for t in texts), handle
        # Nobody gets someone else's answer.
        others = [text for h, text in replies.items() if h != handle]
        assert not set(others) & set(texts), handle
    emil = phone(data, "emil")
    assert [e["call_state"] for e in emil if e["type"] == "call"] == ["rejected"]
    assert sum("in der Sprechstunde leider nicht" in t for t in from_office(emil)) == 1
    assert any("Die Sprechstunde ist beendet" in t for t in from_office(emil))  # unanswered
    gustav = phone(data, "gustav")
    assert from_office(gustav) and len(from_office(gustav)) == 1
    assert "nicht geöffnet" in from_office(gustav)[0]
    # The store: six threads, session closed, the late message was not kept.
    store = Store.open(data / "sprechstunde.db")
    bodies = [m.body for m in store.messages("probe")]
    store.close()
    assert any("Baustelle in der Musterstraße 12" in b for b in bodies)  # decrypts, edited
    assert not any("Musterstraße fertig" in b for b in bodies)  # the first version is gone
    assert not any("nichts gebacken" in b for b in bodies)  # withdrawn by Dieter
    assert not any("Sprechstunde noch offen" in b for b in bodies)
    with sqlite3.connect(data / "sprechstunde.db") as db:
        assert db.execute("SELECT COUNT(*) FROM threads").fetchone()[0] == 6
        assert db.execute("SELECT state FROM sessions").fetchone()[0] == "closed"
        media = db.execute(
            "SELECT kind, media_width, media_duration FROM messages"
            " WHERE media_path IS NOT NULL ORDER BY id"
        ).fetchall()
        assert media[0][:2] == ("image", 320) and media[1][0] == "voice"
        assert abs(media[1][2] - 4.0) < 0.05


def test_demo_deletes_everything_at_the_end(tmp_path: Path) -> None:
    workdir = tmp_path / "rehearsal"
    result = run("demo", "--fast", "--workdir", str(workdir))
    assert result.returncode == 0, result.stderr
    assert "local data deleted" in result.stdout
    data = workdir / "data"
    with sqlite3.connect(data / "sprechstunde.db") as db:
        for table in ("threads", "messages", "outbox", "seen_events", "away_senders"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
        assert db.execute("SELECT state FROM sessions").fetchone()[0] == "purged"
    with sqlite3.connect(data / "local-messenger.db") as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    assert not (data / "sessions" / "probe").exists()
    # No citizen text survives in any file: not in the databases, WAL files, or elsewhere.
    canaries = [c.text for c in CITIZENS if c.text] + [r.text for r in REPLIES]
    for path in data.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for text in canaries:
                assert text.encode() not in blob, (path.name, text)


def test_demo_without_workdir_leaves_no_directory(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = run("demo", "--fast", env_extra={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert "Rehearsal in " + str(scratch) in result.stdout
    assert list(scratch.iterdir()) == []
