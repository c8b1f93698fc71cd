"""The README's rehearsal, as a new user runs it: it does not use up the planned session."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock


def test_the_readme_rehearsal_leaves_the_planned_session_planned(
    sp: Sp, isolated: Path, clock: FakeClock
) -> None:
    clock.current = IN_THE_HOUR - timedelta(days=1)  # the day before `beispiel`
    sp("init")

    opened = sp("open", "--now", "--once").stdout
    found = re.search(r"Opened rehearsal '(beispiel-probe-[\d-]+)' of 'beispiel'", opened)
    assert found, opened
    sp("sandbox", "send", "--from", "c1", "Wann kommt der Bus?")
    sp("open", "--once")
    sp("reply", "1", "Ab Montag wieder nach Plan.")
    sp("close", "--purge")

    # `beispiel` is still what the config plans, everywhere.
    schedule = sp("schedule").stdout
    assert re.search(r"beispiel\b.*planned", schedule), schedule
    assert "beispiel" in sp("check").stdout.split("Sessions (1):")[1].split("\n")[1]
    assert sp("check").stdout.split("Sessions (1):")[1].split("\n")[1].endswith("upcoming")
    listed = sp("sessions").stdout
    assert f"{found[1]}" in listed and "purged  (rehearsal of beispiel)" in listed
    # It can be rehearsed again, and on the day it opens for real.
    assert "Opened rehearsal" in sp("open", "beispiel", "--now", "--once").stdout
    sp("close", "--purge")
    clock.current = IN_THE_HOUR
    assert "Opened session 'beispiel' on local." in sp("open", "beispiel", "--once").stdout
