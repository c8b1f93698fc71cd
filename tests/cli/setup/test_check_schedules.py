"""`check` lists each schedule's next dates with their state, and only dates that can still
take place; a rehearsal never uses one up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock

CONFIG = """
[office]
name = "Stadt Musterstadt"
timezone = "Europe/Berlin"

[hour]
poll_seconds = 0.01

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
rrule = "FREQ=WEEKLY;BYDAY=WE"
first = 2026-12-02
start_time = "16:00"
end_time = "17:00"
skip = [2026-12-09]
provider = "local"
"""


def _dates(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.startswith("    mittwoch-")]


def test_check_lists_the_next_dates_of_each_schedule_with_their_state(
    sp: Sp, isolated: Path, clock: FakeClock
) -> None:
    (isolated / "config.toml").write_text(CONFIG, encoding="utf-8")
    clock.current = IN_THE_HOUR - timedelta(days=1)

    before = sp("check").stdout
    assert "Schedules (1):" in before
    assert "  mittwoch  FREQ=WEEKLY;BYDAY=WE  provider local" in before
    assert _dates(before) == [
        "mittwoch-2026-12-02  Wed 2026-12-02 16:00–17:00 Europe/Berlin (UTC+01:00)  upcoming",
        "mittwoch-2026-12-09  Wed 2026-12-09 16:00–17:00 Europe/Berlin (UTC+01:00)  cancelled",
        "mittwoch-2026-12-16  Wed 2026-12-16 16:00–17:00 Europe/Berlin (UTC+01:00)  upcoming",
    ]

    # A rehearsal the day before uses up nothing.
    sp("open", "--now", "--once")
    sp("close", "--purge")
    assert _dates(sp("check").stdout) == _dates(before)

    clock.current = IN_THE_HOUR
    sp("open", "mittwoch-2026-12-02", "--once")
    assert _dates(sp("check").stdout)[0].endswith("  open")
    sp("close", "--purge")

    after = _dates(sp("check").stdout)
    # Held and purged: it can no longer take place, so it is no longer listed.
    assert [line.split()[0] for line in after] == [
        "mittwoch-2026-12-09",
        "mittwoch-2026-12-16",
        "mittwoch-2026-12-23",
    ]
    assert "Note:" not in sp("check").stdout
