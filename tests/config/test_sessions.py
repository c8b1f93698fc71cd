"""Config times: local and offset date-times per zone, DST, upcoming and next sessions."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.errors import ConfigError

OFFICE = """
[office]
name = "Stadtverwaltung Musterstadt"
"""


def parse(text: str) -> Config:
    return parse_config(tomllib.loads(text))


# --- time zones ---------------------------------------------------------------------------------


def _session(start: str, end: str, extra: str = "") -> Config:
    return parse(OFFICE + f'[sessions.s]\nofficial = "OB"\nstart = {start}\nend = {end}\n{extra}')


def test_local_time_in_berlin_winter_is_utc_plus_one() -> None:
    spec = _session("2026-12-02T16:00:00", "2026-12-02T17:00:00").sessions["s"]

    assert spec.start.utcoffset() == timedelta(hours=1)
    assert spec.start.astimezone(UTC) == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert spec.end.astimezone(UTC) == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def test_local_time_in_berlin_summer_is_utc_plus_two() -> None:
    spec = _session("2026-07-01T16:00:00", "2026-07-01T17:00:00").sessions["s"]

    assert spec.start.utcoffset() == timedelta(hours=2)
    assert spec.start.astimezone(UTC) == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


def test_session_time_zone_overrides_the_office_default() -> None:
    spec = _session(
        "2026-07-01T16:00:00", "2026-07-01T17:00:00", 'timezone = "Europe/London"\n'
    ).sessions["s"]

    assert spec.timezone == "Europe/London"
    assert spec.start.utcoffset() == timedelta(hours=1)


def test_offset_datetime_is_converted_to_the_session_zone() -> None:
    winter = _session("2026-12-02T15:00:00Z", "2026-12-02T12:00:00-05:00").sessions["s"]
    summer = _session("2026-07-01T14:00:00Z", "2026-07-01T17:00:00+02:00").sessions["s"]

    assert (winter.start.hour, winter.start.utcoffset()) == (16, timedelta(hours=1))
    assert (winter.end.hour, winter.start.tzname()) == (18, "CET")
    assert (summer.start.hour, summer.start.utcoffset()) == (16, timedelta(hours=2))
    assert (summer.end.hour, summer.end.tzname()) == (17, "CEST")


def test_quoted_datetime_string_is_accepted() -> None:
    spec = _session('"2026-12-02T16:00:00"', '"2026-12-02 17:00"').sessions["s"]

    assert spec.start.astimezone(UTC) == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert spec.duration == timedelta(hours=1)


def test_wall_clock_time_the_clocks_skip_is_refused() -> None:
    # 2026-03-29 02:00 → 03:00 in Berlin: 02:30 never happens.
    with pytest.raises(ConfigError) as info:
        _session("2026-03-29T02:30:00", "2026-03-29T04:00:00")

    assert info.value.key == "sessions.s.start"
    assert "does not exist in Europe/Berlin" in info.value.message


# --- upcoming and next_session_after -----------------------------------------------------------

THREE = (
    OFFICE
    + """
[sessions.eins]
official = "OB"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00

[sessions.zwei]
official = "OB"
start = 2027-01-13T16:00:00
end = 2027-01-13T17:00:00

[sessions.drei]
official = "OB"
start = 2027-02-10T16:00:00
end = 2027-02-10T17:00:00
"""
)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))


def test_upcoming_keeps_running_and_future_sessions_soonest_first() -> None:
    config = parse(THREE)

    assert [s.id for s in config.upcoming(berlin(2026, 11, 1, 12))] == ["eins", "zwei", "drei"]
    # Running (started, not ended) still counts as upcoming.
    assert [s.id for s in config.upcoming(berlin(2026, 12, 2, 16, 30))] == ["eins", "zwei", "drei"]
    assert [s.id for s in config.upcoming(berlin(2026, 12, 2, 17))] == ["zwei", "drei"]
    assert config.upcoming(berlin(2027, 3, 1, 12)) == []


def test_upcoming_compares_instants_across_zones() -> None:
    config = parse(THREE)
    # 16:30 UTC is 17:30 in Berlin: session "eins" has ended.
    moment = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)

    assert [s.id for s in config.upcoming(moment)] == ["zwei", "drei"]


def test_next_session_after_skips_running_and_excluded_sessions() -> None:
    config = parse(THREE)
    end_of_first = config.sessions["eins"].end

    nxt = config.next_session_after(end_of_first)
    assert nxt is not None and nxt.id == "zwei"
    # Started sessions are not "next", even while they run.
    running = config.next_session_after(berlin(2027, 1, 13, 16, 30))
    assert running is not None and running.id == "drei"
    excluded = config.next_session_after(end_of_first, exclude="zwei")
    assert excluded is not None and excluded.id == "drei"
    assert config.next_session_after(berlin(2027, 2, 10, 16)) is None
