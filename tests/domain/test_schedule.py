"""Recurring sessions: RRULE expansion, DST, holidays, skip and move, config errors."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.schedule import BUNDESLAENDER, HORIZON, calendar, occurrences
from sprechstunde_cli.errors import ConfigError, NotFoundError

OFFICE = '[office]\nname = "Stadt Musterstadt"\n'
BIWEEKLY = """
[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde"
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
first = 2026-12-02
start_time = "16:00"
end_time = "17:00"
"""
BEFORE = datetime(2026, 11, 1, tzinfo=UTC)


def parse(text: str) -> Config:
    return parse_config(tomllib.loads(OFFICE + text))


def schedule_of(extra: str = "", rule: str = BIWEEKLY) -> Config:
    return parse(rule + extra)


def ids(config: Config, after: datetime = BEFORE, days: int = 60) -> list[str]:
    found = calendar(config.sessions, config.schedules, after, after + timedelta(days=days))
    return [o.spec.id for o in found if not o.cancelled]


def config_error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return info.value


# --- expansion ---------------------------------------------------------------------------------


def test_every_second_wednesday_becomes_dated_sessions() -> None:
    config = schedule_of()

    assert ids(config) == [
        "mittwoch-2026-12-02",
        "mittwoch-2026-12-16",
        "mittwoch-2026-12-30",
    ]
    spec = config.session("mittwoch-2026-12-16")
    assert (spec.start.hour, spec.end.hour, spec.start.weekday()) == (16, 17, 2)
    assert (spec.title, spec.provider, spec.timezone) == (
        "WhatsApp-Sprechstunde",
        "local",
        "Europe/Berlin",
    )


def test_first_monday_of_the_month() -> None:
    config = schedule_of(
        rule=BIWEEKLY.replace("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "FREQ=MONTHLY;BYDAY=1MO").replace(
            "2026-12-02", "2026-12-07"
        )
    )

    assert ids(config, days=100) == [
        "mittwoch-2026-12-07",
        "mittwoch-2027-01-04",
        "mittwoch-2027-02-01",
    ]


def test_count_and_until_end_the_series() -> None:
    assert ids(schedule_of("count = 2\n"), days=365) == [
        "mittwoch-2026-12-02",
        "mittwoch-2026-12-16",
    ]
    assert ids(schedule_of("until = 2026-12-30\n"), days=365)[-1] == "mittwoch-2026-12-30"


def test_wall_clock_time_holds_across_both_dst_changes() -> None:
    # Weekly on Wednesday across the last Sunday of October 2026 and of March 2027.
    config = schedule_of(
        rule=BIWEEKLY.replace("INTERVAL=2;", "").replace("2026-12-02", "2026-10-21")
    )
    schedule = config.schedules["mittwoch"]
    autumn = occurrences(
        schedule, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    spring = occurrences(
        schedule, datetime(2027, 3, 23, tzinfo=UTC), datetime(2027, 4, 2, tzinfo=UTC)
    )

    utc_starts = [o.spec.start.astimezone(UTC).hour for o in autumn + spring]
    assert [o.spec.start.hour for o in autumn + spring] == [16, 16, 16, 16]
    # Summer time (UTC+2) before 25 Oct, winter (UTC+1) after; back to summer after 28 Mar.
    assert utc_starts == [14, 15, 15, 14]
    assert [o.original for o in autumn + spring] == [
        date(2026, 10, 21),
        date(2026, 10, 28),
        date(2027, 3, 24),
        date(2027, 3, 31),
    ]


def test_a_wall_time_the_clocks_skip_becomes_the_real_instant_after_the_jump() -> None:
    config = parse(
        BIWEEKLY.replace("INTERVAL=2;BYDAY=WE", "BYDAY=SU")
        .replace("2026-12-02", "2027-03-21")
        .replace('"16:00"', '"02:30"')
        .replace('"17:00"', '"03:30"')
    )
    spec = config.session("mittwoch-2027-03-28")

    assert spec.start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (spec.start.hour, spec.start.minute) == (3, 30)


def test_upcoming_merges_one_off_sessions_and_stays_finite() -> None:
    config = schedule_of(
        rule=BIWEEKLY.replace("INTERVAL=2;BYDAY=WE", "BYDAY=MO,TU,WE,TH,FR"),
        extra="""
[sessions.sonder]
official = "OB"
start = 2026-12-05T10:00:00
end = 2026-12-05T11:00:00
""",
    )
    upcoming = config.upcoming(BEFORE)

    assert [s.id for s in upcoming[:5]] == [
        "mittwoch-2026-12-02",
        "mittwoch-2026-12-03",
        "mittwoch-2026-12-04",
        "sonder",
        "mittwoch-2026-12-07",
    ]
    assert upcoming[-1].start <= BEFORE + HORIZON
    assert 250 < len(upcoming) < 300  # weekdays of 400 days, not an endless series
    assert config.next_session_after(upcoming[2].end).id == "sonder"


# --- holidays, skip, move ----------------------------------------------------------------------


MONDAYS = BIWEEKLY.replace("INTERVAL=2;BYDAY=WE", "BYDAY=MO").replace("2026-12-02", "2027-03-01")


@pytest.mark.parametrize(
    ("state", "cancelled"),
    [("BE", {"2027-03-08": "Frauentag", "2027-03-29": "Ostermontag"}),
     ("BB", {"2027-03-29": "Ostermontag"})],
)  # fmt: skip
def test_public_holidays_of_the_chosen_state_cancel_sessions(
    state: str, cancelled: dict[str, str]
) -> None:
    config = parse(MONDAYS + f'holidays = "{state}"\n')
    found = calendar(
        {}, config.schedules, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    )

    assert {str(o.original): o.holiday for o in found if o.cancelled} == cancelled
    assert len(found) == 5  # cancelled dates stay in the calendar, marked as such
    with pytest.raises(ConfigError, match="cancelled \\(public holiday: Ostermontag\\)") as info:
        config.session("mittwoch-2027-03-29")
    assert "move" in info.value.hint


def test_without_holidays_a_holiday_is_an_ordinary_date() -> None:
    assert "mittwoch-2027-03-29" in ids(parse(MONDAYS), datetime(2027, 3, 1, tzinfo=UTC), 31)


def test_skip_cancels_and_move_shifts_keeping_the_id() -> None:
    config = schedule_of('skip = [2026-12-16]\nmove = { "2026-12-30" = "2026-12-29T15:00:00" }\n')
    found = calendar({}, config.schedules, BEFORE, BEFORE + timedelta(days=60))

    assert [(str(o.original), o.cancelled, o.moved) for o in found] == [
        ("2026-12-02", False, False),
        ("2026-12-16", True, False),
        ("2026-12-30", False, True),
    ]
    moved = config.session("mittwoch-2026-12-30")
    assert (moved.start.date(), moved.start.hour, moved.end.hour) == (date(2026, 12, 29), 15, 16)
    with pytest.raises(ConfigError, match="listed in skip"):
        config.session("mittwoch-2026-12-16")


def test_a_move_wins_over_the_holiday_rule() -> None:
    config = parse(MONDAYS + 'holidays = "BE"\nmove = { "2027-03-29" = "2027-03-30T16:00:00" }\n')

    assert config.session("mittwoch-2027-03-29").start.day == 30


def test_a_session_moved_into_the_window_from_outside_is_found() -> None:
    config = schedule_of('move = { "2026-12-30" = "2026-12-01T10:00:00" }\n')

    assert ids(config, BEFORE, 32)[:2] == ["mittwoch-2026-12-30", "mittwoch-2026-12-02"]


def test_unknown_dates_and_ids_are_not_sessions() -> None:
    config = schedule_of()

    for wrong in ("mittwoch-2026-12-09", "mittwoch-2026-13-01", "dienstag-2026-12-02", "mittwoch"):
        with pytest.raises(NotFoundError, match="No session"):
            config.session(wrong)


def test_the_bundeslaender_are_the_holiday_librarys_subdivisions() -> None:
    assert set(BUNDESLAENDER) <= set(holidays.Germany.subdivisions)
    assert len(BUNDESLAENDER) == 16


# --- errors name the key and the fix -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key", "hint"),
    [
        (("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "FREQ=WEEKLY;BYDAY=XX"), "rrule", "FREQ=WEEKLY"),
        (("FREQ=WEEKLY;INTERVAL=2;", "FREQ=HOURLY;"), "rrule", "FREQ=WEEKLY"),
        (("BYDAY=WE", "BYDAY=WE;COUNT=3"), "rrule", "schedules.mittwoch.count"),
        (("BYDAY=WE", "BYDAY=WE;BYHOUR=9"), "rrule", "start_time"),
        (("first = 2026-12-02", "first = 2026-12-03"), "first", "first = 2026-12-16"),
        (("first = 2026-12-02", "first = 2026-12-02T16:00:00"), "first", "2026-12-02"),
        (('end_time = "17:00"', 'end_time = "15:00"'), "end_time", "17:00"),
        (('start_time = "16:00"', 'start_time = "16 Uhr"'), "start_time", '"16:00"'),
        (('title = "WhatsApp-Sprechstunde"', 'titel = "x"'), "titel", "Did you mean 'title'?"),
        (('title = "WhatsApp-Sprechstunde"', 'provider = "signall"'), "provider", "Known"),
    ],
)
def test_bad_schedule_names_key_and_fix(change: tuple[str, str], key: str, hint: str) -> None:
    err = config_error(BIWEEKLY.replace(*change))

    assert err.key == f"schedules.mittwoch.{key}"
    assert hint in err.hint


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        ('holidays = "XY"\n', "holidays", "unknown Bundesland"),
        ("skip = [2026-12-09]\n", "skip", "not a date of this schedule"),
        ('move = { "2026-12-09" = "2026-12-10T16:00:00" }\n', 'move."2026-12-09"', "not a date"),
        ('move = { "2026-12-16" = "2026-12-17" }\n', 'move."2026-12-16"', "wall-clock"),
        ('skip = [2026-12-16]\nmove = { "2026-12-16" = "2026-12-17T16:00:00" }\n', "move", "both"),
        ("until = 2027-01-01\ncount = 3\n", "until", "cannot both"),
        ("count = 0\n", "count", "at least 1"),
        ('timezone = "Europe/Bielefeld"\n', "timezone", "unknown time zone"),
    ],
)
def test_bad_exceptions_name_key_and_fix(extra: str, key: str, message: str) -> None:
    err = config_error(BIWEEKLY + extra)

    assert err.key == f"schedules.mittwoch.{key}"
    assert message in err.message
    assert err.hint


def test_skip_hint_names_the_rules_next_date() -> None:
    err = config_error(BIWEEKLY + "skip = [2026-12-09]\n")

    assert err.hint == "The rule's next date from there is 2026-12-16."


def test_a_session_may_not_take_a_schedule_dates_id() -> None:
    err = config_error(
        BIWEEKLY
        + '[sessions.mittwoch-2026-12-16]\nofficial = "OB"\n'
        + "start = 2026-12-16T10:00:00\nend = 2026-12-16T11:00:00\n"
    )

    assert err.key == "sessions.mittwoch-2026-12-16"


def test_rule_prefix_and_lowercase_are_accepted() -> None:
    config = schedule_of(rule=BIWEEKLY.replace("FREQ=WEEKLY", "RRULE:freq=weekly"))

    assert config.schedules["mittwoch"].rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
