"""kill -9 of `standby` between its away text and the deletion: the next run finishes the job
without a second away text."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import standby as ledger
from tests.support import crash_entry
from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock

ENTRY = Path(crash_entry.__file__)
CITIZEN = "+49 170 0000021"


def _standby(clock: FakeClock, crash: tuple[str, str, int]) -> subprocess.CompletedProcess[str]:
    clock.advance(seconds=1)
    env = {**os.environ, "SPRECHSTUNDE_TEST_CLOCK_START": clock.now().isoformat()}
    target, when, nth = crash
    argv = [sys.executable, str(ENTRY), target, when, str(nth), "--"]
    argv += ["standby", "--provider", "local", "--once"]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "target",
    [
        # The away text is out, not yet marked as sent, the message not yet deleted.
        "sprechstunde_cli.providers.local.provider:LocalProvider.send_text",
        # Marked as sent, the message not yet deleted.
        "sprechstunde_cli.store.standby:mark_replied",
    ],
)
def test_a_killed_standby_resumes_without_a_second_away_text(
    sp: Sp, config_file: Path, clock: FakeClock, isolated: Path, target: str
) -> None:
    clock.current = IN_THE_HOUR - timedelta(days=2)  # Monday: between hours
    sp("sandbox", "send", "--from", CITIZEN, "Eine Frage am Montag")

    first = _standby(clock, (target, "after", 1))
    assert first.returncode == -signal.SIGKILL, first.stdout + first.stderr
    again = _standby(clock, ("none", "before", 0))
    assert again.returncode == 0, again.stdout + again.stderr

    data = isolated / "data"
    with LocalMessenger(data / "local-messenger.db") as messenger:
        entries = messenger.phone(CITIZEN)
    away = [e.text for e in entries if e.incoming]
    assert len(away) == 1 and "02.12.2026, 16:00–17:00 Uhr" in away[0]
    assert [e for e in entries if not e.incoming] == []  # deleted at the messenger
    with Store.open(data / "sprechstunde.db") as store:
        assert ledger.pending(store, "local") == []
