"""The ICS feed read by parsers other than the one that wrote it: vobject and ical.js.

Each must put a Berlin session in winter and in summer and a New York session at the same
instant as the config says; SEQUENCE must never fall for a UID, even when a skip is undone.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.services import plan
from sprechstunde_cli.store import Store
from tests.support import icaljs
from tests.support.tools import needs

CONFIG = """
[office]
name = "Stadt Müßstadt"

[sessions.winter]
official = "Bürgermeisterin Erika Mustermann"
title = "Winter-Sprechstunde"
start = 2026-12-16T16:00:00
end = 2026-12-16T17:00:00

[sessions.sommer]
official = "Bürgermeisterin Erika Mustermann"
title = "Sommer-Sprechstunde"
start = 2026-07-01T16:00:00
end = 2026-07-01T17:00:00

[sessions.partnerstadt]
official = "Bürgermeisterin Erika Mustermann"
title = "Sprechstunde in der Partnerstadt"
start = 2026-07-02T10:00:00
end = 2026-07-02T11:00:00
timezone = "America/New_York"

[schedules.mittwoch]
official = "Bürgermeisterin Erika Mustermann"
title = "Mittwochs-Sprechstunde"
rrule = "FREQ=WEEKLY;BYDAY=WE"
first = 2026-07-08
start_time = "16:00"
end_time = "17:00"
count = 2
"""
NOW = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
# What the config means, in UTC: CET is +1, CEST +2, EDT -4.
EXPECTED = {
    "winter": (datetime(2026, 12, 16, 15, tzinfo=UTC), datetime(2026, 12, 16, 16, tzinfo=UTC)),
    "sommer": (datetime(2026, 7, 1, 14, tzinfo=UTC), datetime(2026, 7, 1, 15, tzinfo=UTC)),
    "partnerstadt": (datetime(2026, 7, 2, 14, tzinfo=UTC), datetime(2026, 7, 2, 15, tzinfo=UTC)),
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "data" / "store.db")


def config(extra: str = "") -> Config:
    return parse_config(tomllib.loads(CONFIG + extra))


def test_vobject_reads_every_session_at_its_instant(store: Store) -> None:
    calendar = vobject.readOne(plan.ics_bytes(store, config(), NOW).decode("utf-8"))
    found = {
        str(e.uid.value).split("@")[0]: (e.dtstart.value, e.dtend.value)
        for e in calendar.vevent_list
    }

    for session, (start, end) in EXPECTED.items():
        assert found[session][0].astimezone(UTC) == start, session
        assert found[session][1].astimezone(UTC) == end, session


@needs("node")
@needs("npm")
def test_icaljs_reads_every_session_at_its_instant(store: Store) -> None:
    found = {
        uid.split("@")[0]: values
        for uid, values in icaljs.read(plan.ics_bytes(store, config(), NOW)).items()
    }

    for session, (start, end) in EXPECTED.items():
        assert found[session]["start"] == start.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        ), session
        assert found[session]["end"] == end.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        ), session


def test_the_vtimezone_starts_each_change_at_the_local_time_before_it(store: Store) -> None:
    text = plan.ics_bytes(store, config(), NOW).decode("utf-8").replace("\r\n ", "")
    berlin = text.split("TZID:Europe/Berlin", 1)[1].split("END:VTIMEZONE", 1)[0]
    new_york = text.split("TZID:America/New_York", 1)[1].split("END:VTIMEZONE", 1)[0]

    # Spring: 02:00 CET becomes 03:00 CEST; autumn: 03:00 CEST becomes 02:00 CET.
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\n" in berlin
    assert "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\n" in berlin
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\n" in new_york
    assert "RDATE" not in text
    # Every transition is its own component: no line lists several dates.
    assert all(line.count(",") == 0 for line in text.splitlines() if line.startswith("DTSTART"))


def _sequences(store: Store, cfg: Config) -> dict[str, int]:
    events = vobject.readOne(plan.ics_bytes(store, cfg, NOW).decode("utf-8")).vevent_list
    return {str(e.uid.value).split("@")[0]: int(e.sequence.value) for e in events}


def test_sequence_never_falls_when_a_skip_is_undone(store: Store) -> None:
    first = _sequences(store, config())
    skipped = _sequences(store, config("skip = [2026-07-15]\n"))
    undone = _sequences(store, config())
    again = _sequences(store, config())

    assert first["mittwoch-2026-07-15"] == 0
    assert skipped["mittwoch-2026-07-15"] == 1
    assert undone["mittwoch-2026-07-15"] == 2  # RFC 5545: it grows, it never goes back to 0
    assert again == undone  # nothing changed: nothing grows
    assert undone["mittwoch-2026-07-08"] == 0  # its neighbour never changed


def test_a_moved_session_counts_up_once_per_change(store: Store) -> None:
    assert _sequences(store, config())["winter"] == 0
    later = CONFIG.replace("2026-12-16T16:00:00", "2026-12-16T15:00:00")

    assert _sequences(store, parse_config(tomllib.loads(later)))["winter"] == 1
    assert _sequences(store, parse_config(tomllib.loads(later)))["winter"] == 1
    assert _sequences(store, config())["winter"] == 2
