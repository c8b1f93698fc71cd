"""Recurring consultation hours: RFC 5545 rules, exceptions and public holidays.

A schedule expands into dated occurrences on demand, always inside a window the caller passes
(time is never read here). Recurrence is python-dateutil's RRULE engine and the holidays come
from the `holidays` package; both are imported when first needed, not at startup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sprechstunde_cli.domain.spec import SessionSpec

if TYPE_CHECKING:
    from dateutil.rrule import rrule

# Expansion stays finite: "upcoming" never looks further ahead than this.
HORIZON = timedelta(days=400)
# The 16 Bundesländer (the `holidays` package's codes for Germany's subdivisions).
BUNDESLAENDER = (
    "BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH",
)  # fmt: skip
_ID_DATE = re.compile(r"(.+)-(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Schedule:
    """A recurring consultation hour as `[schedules.<id>]` defines it."""

    id: str
    rrule: str  # without DTSTART/UNTIL/COUNT: those are first/until/count
    first: date
    start_time: time
    end_time: time
    timezone: str
    title: str
    official: str
    provider: str
    until: date | None = None
    count: int | None = None
    skip: frozenset[date] = frozenset()
    move: tuple[tuple[date, datetime], ...] = ()  # rule date → new wall-clock start
    holidays: str = ""  # Bundesland whose public holidays cancel a session; "" for none


@dataclass(frozen=True)
class Occurrence:
    """One dated session of the calendar, from a schedule or a one-off [sessions] table."""

    spec: SessionSpec
    schedule: str  # "" for a one-off session
    original: date  # the rule's date; it names the session even when the session is moved
    cancelled: bool = False
    holiday: str = ""  # the holiday's German name when that is why it is cancelled
    moved: bool = False


def occurrence_id(schedule_id: str, day: date) -> str:
    return f"{schedule_id}-{day:%Y-%m-%d}"


# --- expansion ---------------------------------------------------------------------------------


def occurrences(schedule: Schedule, after: datetime, before: datetime) -> list[Occurrence]:
    """Occurrences (cancelled ones too) that end after `after` and start before `before`."""
    moves = dict(schedule.move)
    rule = compiled(schedule)
    lo = datetime.combine(after.astimezone(ZoneInfo(schedule.timezone)).date(), time.min)
    hi = datetime.combine(before.astimezone(ZoneInfo(schedule.timezone)).date(), time.max)
    days = {d.date() for d in rule.between(lo - timedelta(days=1), hi + timedelta(days=1), True)}
    # A moved session may land in the window from a rule date outside it.
    days |= set(moves)
    found = [_occurrence(schedule, day) for day in sorted(days)]
    return sorted(
        (o for o in found if o.spec.end > after and o.spec.start < before),
        key=lambda o: o.spec.start,
    )


def find(schedules: Mapping[str, Schedule], session_id: str) -> Occurrence | None:
    """The occurrence an id such as "mittwoch-2026-12-16" names, if its schedule has that date."""
    match = _ID_DATE.fullmatch(session_id)
    if match is None or match.group(1) not in schedules:
        return None
    schedule = schedules[match.group(1)]
    try:
        day = date.fromisoformat(match.group(2))
    except ValueError:
        return None
    return _occurrence(schedule, day) if is_rule_date(schedule, day) else None


def calendar(
    sessions: Mapping[str, SessionSpec],
    schedules: Mapping[str, Schedule],
    after: datetime,
    before: datetime,
) -> list[Occurrence]:
    """One-off sessions and schedule occurrences in the window, cancelled ones included."""
    found = [
        Occurrence(spec, "", spec.start.date())
        for spec in sessions.values()
        if spec.end > after and spec.start < before
    ]
    for schedule in schedules.values():
        found.extend(occurrences(schedule, after, before))
    return sorted(found, key=lambda o: (o.spec.start, o.spec.id))


def planned(schedules: Mapping[str, Schedule], after: datetime) -> Iterator[SessionSpec]:
    """Sessions that take place, ending after `after`, up to HORIZON ahead."""
    for schedule in schedules.values():
        for found in occurrences(schedule, after, after + HORIZON):
            if not found.cancelled:
                yield found.spec


def _occurrence(schedule: Schedule, day: date) -> Occurrence:
    zone = ZoneInfo(schedule.timezone)
    moves = dict(schedule.move)
    length = datetime.combine(day, schedule.end_time) - datetime.combine(day, schedule.start_time)
    start_wall = moves.get(day, datetime.combine(day, schedule.start_time))
    start = _aware(start_wall, zone)
    spec = SessionSpec(
        id=occurrence_id(schedule.id, day),
        title=schedule.title,
        official=schedule.official,
        start=start,
        end=_aware(start_wall + length, zone),
        timezone=schedule.timezone,
        provider=schedule.provider,
    )
    if day in moves:
        # An explicit move wins over the holiday rule: the office chose that date on purpose.
        return Occurrence(spec, schedule.id, day, moved=True)
    if day in schedule.skip:
        return Occurrence(spec, schedule.id, day, cancelled=True)
    holiday = holiday_name(schedule.holidays, day) if schedule.holidays else ""
    return Occurrence(spec, schedule.id, day, cancelled=bool(holiday), holiday=holiday)


def _aware(wall: datetime, zone: ZoneInfo) -> datetime:
    # A wall time the clocks skip (02:30 on the spring-forward night) becomes the same instant
    # after the jump (03:30), so every occurrence is a real moment.
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def is_rule_date(schedule: Schedule, day: date) -> bool:
    rule = compiled(schedule)
    return bool(
        rule.between(datetime.combine(day, time.min), datetime.combine(day, time.max), True)
    )


def compiled(schedule: Schedule) -> rrule:
    return _rule(
        schedule.rrule, schedule.first, schedule.start_time, schedule.until, schedule.count
    )


@functools.lru_cache(maxsize=128)
def _rule(text: str, first: date, start: time, until: date | None, count: int | None) -> rrule:
    from dateutil.rrule import rrule, rrulestr

    # Naive wall-clock times: 16:00 stays 16:00 across daylight-saving changes; the zone is
    # attached per occurrence.
    parsed = rrulestr(text, dtstart=datetime.combine(first, start))
    assert isinstance(parsed, rrule)
    if until is not None:
        parsed = parsed.replace(until=datetime.combine(until, time.max))
    if count is not None:
        parsed = parsed.replace(count=count)
    return parsed


@functools.lru_cache(maxsize=64)
def _holidays(code: str, year: int) -> Mapping[date, str]:
    import holidays

    return dict(holidays.country_holidays("DE", subdiv=code, years=year, language="de"))


def holiday_name(code: str, day: date) -> str:
    """The German name of a public holiday in Bundesland `code` on `day`, else ""."""
    return _holidays(code, day.year).get(day, "")
