"""The published files: the ICS feed (parser round-trip, time zones, UIDs) and the snippet."""

from __future__ import annotations

import io
import stat
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dateutil import tz
from icalendar import Calendar

from sprechstunde_cli.adapters.ics import same_calendar
from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.services import plan
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.files import publish

CONFIG = """
[office]
name = "Stadt Müßstadt"

[sessions.sommer]
official = "Bürgermeister Max Mustermann"
title = "Sommer-Sprechstunde"
start = 2026-07-01T16:00:00
end = 2026-07-01T17:00:00

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
first = 2026-12-16
start_time = "16:00"
end_time = "17:00"
count = 4
skip = [2027-01-13]
move = { "2027-01-27" = "2027-01-26T16:30:00" }

[schedules.freitag]
official = "Oberbürgermeisterin Erika Mustermann"
title = "Freitags-Sprechstunde"
rrule = "FREQ=WEEKLY;BYDAY=FR"
first = 2026-12-18
start_time = "10:00"
end_time = "11:00"
count = 3
holidays = "BE"

[announce]
handle = "+49 000 0000000"
"""
NOW = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "data" / "store.db")


def config(extra: str = "") -> Config:
    return parse_config(tomllib.loads(CONFIG + extra))


def events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_the_feed_round_trips_through_a_parser(store: Store) -> None:
    data = plan.ics_bytes(store, config(), NOW)
    cal = Calendar.from_ical(data)
    found = events(data)

    assert str(cal["VERSION"]) == "2.0" and str(cal["METHOD"]) == "PUBLISH"
    assert sorted(found) == [
        "freitag-2026-12-18",
        "freitag-2026-12-25",
        "freitag-2027-01-01",
        "mittwoch-2026-12-16",
        "mittwoch-2026-12-30",
        "mittwoch-2027-01-13",
        "mittwoch-2027-01-27",
        "sommer",
    ]
    statuses = {uid: str(e["STATUS"]) for uid, e in found.items()}  # type: ignore[index]
    assert {uid for uid, s in statuses.items() if s == "CANCELLED"} == {
        "freitag-2026-12-25",
        "freitag-2027-01-01",
        "mittwoch-2027-01-13",
    }
    holiday = found["freitag-2026-12-25"]
    assert "Feiertag: Erster Weihnachtstag" in str(holiday["DESCRIPTION"])  # type: ignore[index]
    assert str(found["mittwoch-2026-12-16"]["SUMMARY"]) == (  # type: ignore[index]
        "WhatsApp-Sprechstunde der Oberbürgermeisterin"
    )
    moved = found["mittwoch-2027-01-27"].decoded("DTSTART")  # type: ignore[attr-defined]
    assert (moved.day, moved.hour, moved.minute) == (26, 16, 30)


def test_berlin_times_are_right_in_summer_and_winter(store: Store) -> None:
    data = plan.ics_bytes(store, config(), NOW)
    found = events(data)
    summer = found["sommer"].decoded("DTSTART")  # type: ignore[attr-defined]
    winter = found["mittwoch-2026-12-16"].decoded("DTSTART")  # type: ignore[attr-defined]

    assert summer.astimezone(UTC) == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 12, 16, 15, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/Berlin:20260701T160000" in data
    # The VTIMEZONE in the file, read by another parser, gives the same offsets.
    zone = tz.tzical(io.StringIO(data.decode("utf-8"))).get("Europe/Berlin")
    assert datetime(2026, 7, 1, 16, tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 12, 16, 16, tzinfo=zone).utcoffset() == timedelta(hours=1)


def test_uids_are_stable_across_runs_and_days(store: Store) -> None:
    first = plan.ics_bytes(store, config(), NOW)
    later = plan.ics_bytes(store, config(), NOW + timedelta(minutes=5))

    assert first != later  # DTSTAMP moved on
    assert same_calendar(first, later)
    assert set(events(first)) == set(events(later))
    uid = str(events(first)["sommer"]["UID"])  # type: ignore[index]
    assert uid == "sommer@stadt-muessstadt.sprechstunde.invalid"
    custom = plan.ics_bytes(store, config('uid_domain = "musterstadt.example.org"\n'), NOW)
    assert str(events(custom)["sommer"]["UID"]) == "sommer@musterstadt.example.org"  # type: ignore[index]


def test_a_cancelled_or_moved_event_gets_a_higher_sequence(store: Store) -> None:
    found = events(plan.ics_bytes(store, config(), NOW))

    assert int(found["mittwoch-2026-12-16"]["SEQUENCE"]) == 0  # type: ignore[index]
    assert int(found["mittwoch-2027-01-13"]["SEQUENCE"]) == 1  # type: ignore[index]
    assert int(found["mittwoch-2027-01-27"]["SEQUENCE"]) == 1  # type: ignore[index]


def test_the_snippet_names_the_next_dates_and_the_cancelled_ones(store: Store) -> None:
    text = plan.snippet_text(store, config(), datetime(2026, 12, 1, tzinfo=UTC), 4)

    assert text == (
        "Nächste WhatsApp-Sprechstunde der Oberbürgermeisterin: Mittwoch, 16.12.2026, "
        "16–17 Uhr, mit Oberbürgermeisterin Erika Mustermann. Schreiben Sie an +49 000 0000000.\n"
        "\n"
        "Weitere Termine:\n"
        "- Freitag, 18.12.2026, 10–11 Uhr\n"
        "- Mittwoch, 30.12.2026, 16–17 Uhr\n"
        "- Dienstag, 26.01.2027, 16:30–17:30 Uhr\n"
        "\n"
        "Entfällt:\n"
        "- Freitag, 25.12.2026 (Feiertag: Erster Weihnachtstag)\n"
        "- Freitag, 01.01.2027 (Feiertag: Neujahr)\n"
        "- Mittwoch, 13.01.2027\n"
    )


def test_the_snippet_without_dates_says_they_will_be_announced(store: Store) -> None:
    text = plan.snippet_text(store, config(), datetime(2028, 1, 1, tzinfo=UTC), 3)

    assert text == "Die nächste Sprechstunde wird rechtzeitig angekündigt.\n"


# --- atomic rewrite ------------------------------------------------------------------------------


def test_publish_replaces_only_on_change_and_leaves_no_temp_files(
    tmp_path: Path, store: Store
) -> None:
    (tmp_path / "www").mkdir()
    target = tmp_path / "www" / "s.ics"
    first = plan.ics_bytes(store, config(), NOW)

    assert publish(target, first, same_calendar) is True
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # public: a web server reads it
    an_hour_later = plan.ics_bytes(store, config(), NOW + timedelta(hours=1))
    assert publish(target, an_hour_later, same_calendar) is False
    assert target.read_bytes() == first  # only DTSTAMP differed: not rewritten
    changed = plan.ics_bytes(store, config('uid_domain = "x.example.org"\n'), NOW)
    assert publish(target, changed, same_calendar) is True
    assert target.read_bytes() == changed
    assert sorted(p.name for p in target.parent.iterdir()) == ["s.ics"]


def test_publish_into_a_missing_directory_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        publish(tmp_path / "nope" / "s.ics", b"x")

    assert str(tmp_path / "nope" / "s.ics") in info.value.message
    assert "writable" in info.value.hint
