"""`open`: the hour opens, greets, is refused outside its time, stops when closed elsewhere."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.providers.local.phone import PhoneEntry
from sprechstunde_cli.providers.local.server import LocalMessenger
from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock


def test_open_once_greets_and_reports(sp: Sp, config_file: Path, clock: FakeClock) -> None:
    result = sp("open", "--once")
    assert "Opened session 'mittwoch' on local." in result.stdout
    sp("sandbox", "send", "--from", "c1", "Hallo")
    result = sp("open", "--once")
    assert "Resumed session 'mittwoch'" in result.stdout
    assert "New thread 1 (greeted)." in result.stdout
    inbox = sp("sandbox", "inbox", "--as", "c1", "--json").stdout.splitlines()
    entries = [json.loads(line) for line in inbox]
    greetings = [e for e in entries if e["from_office"] and "willkommen" in e["text"]]
    assert len(greetings) == 1


def test_open_outside_the_hour_is_refused_with_a_hint(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    clock.current = IN_THE_HOUR + timedelta(days=1)
    result = sp("open", "mittwoch", "--once", expect=ExitCode.STATE)
    assert "ended" in result.stderr and "--now" in result.stderr
    result = sp("open", "mittwoch", "--once", "--now")
    assert "Opened rehearsal 'mittwoch-probe-20261203-1605' of 'mittwoch'" in result.stdout
    # The planned session was not used up: it is still what it was, and is not listed as open.
    listed = sp("sessions").stdout
    assert "mittwoch-probe-20261203-1605  2026-12-03 16:05–17:05" in listed
    assert "open  (rehearsal of mittwoch)" in listed


def test_open_without_a_config_names_init(sp: Sp, clock: FakeClock) -> None:
    result = sp("open", "--once", expect=ExitCode.CONFIG)
    assert "No config file" in result.stderr and "sprechstunde init" in result.stderr


def test_open_stops_cleanly_when_another_terminal_closes(sp: Sp, config_file: Path) -> None:
    import subprocess
    import sys
    import time

    opener = subprocess.Popen(
        [sys.executable, "-m", "sprechstunde_cli", "open", "mittwoch", "--now", "--plain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):  # bounded: until `open` has recorded the session as open
            time.sleep(0.1)
            if "open" in sp("sessions").stdout.split("mittwoch")[1].split("\n")[0]:
                break
        sp("sandbox", "send", "--from", "c1", "Hallo")
        time.sleep(0.5)
        sp("close")  # the open one: the rehearsal's copy
        out, err = opener.communicate(timeout=30)
    finally:
        opener.kill()
    assert opener.returncode == 0, err
    assert "New thread 1 (greeted)." in out
    # It notices at its next step: while the close runs, or after it.
    assert re.search(r"Session 'mittwoch-probe-[\d-]+' is clos(ing|ed); `open` stops here.", out)


def test_open_once_greets_everyone_waiting_not_one_batch(
    sp: Sp, config_file: Path, clock: FakeClock, isolated: Path
) -> None:
    """120 new citizens: every greeting goes out before `open --once` exits (it used to send
    one outbox lease of 50 and leave 70 queued)."""
    with LocalMessenger(isolated / "data" / "local-messenger.db", stamp=clock.now) as phones:
        for n in range(120):
            phones.citizen_send(f"c{n:03d}", f"Frage {n}")
    result = sp("open", "--once")
    # The step sends one lease (50), then the rest goes out lease after lease.
    assert "Delivered or given up: 70 of 70 message(s)." in result.stdout
    with LocalMessenger(isolated / "data" / "local-messenger.db") as phones:
        greeted = [h for h in (f"c{n:03d}" for n in range(120)) if _greeted(phones.phone(h))]
    assert len(greeted) == 120


def _greeted(entries: list[PhoneEntry]) -> bool:
    return any(e.incoming and "willkommen" in e.text for e in entries)
