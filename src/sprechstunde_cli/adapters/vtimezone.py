"""A VTIMEZONE every common parser reads the same: one component per transition.

icalendar's own `add_missing_timezones` puts all transitions into one multi-valued RDATE and
starts DAYLIGHT at the local time *after* the change; ical.js and vobject (dateutil) then show
summer sessions an hour late. Here each transition is its own STANDARD/DAYLIGHT component with
a single DTSTART in the local time in force before the change (RFC 5545 3.6.5), and no RDATE or
RRULE for a parser to misread. Only the years the feed covers are described.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard


@dataclass(frozen=True)
class Transition:
    """One change of a zone's UTC offset: when (in UTC), the offsets either side, its new name."""

    at: datetime  # UTC
    before: timedelta
    after: timedelta
    name: str  # the zone's abbreviation after the change (CET, CEST, EDT …)
    daylight: bool


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """Every change of UTC offset from 1 Jan `first_year` to the end of `last_year`, found by
    day and then to the second (zoneinfo does not list them)."""
    found: list[Transition] = []
    day = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    while day < end:
        nxt = day + timedelta(days=1)
        if _offset(zone, day) != _offset(zone, nxt):
            found.append(_transition(zone, day, nxt))
        day = nxt
    return found


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> Component:
    """The VTIMEZONE for `zone` over those years: the state at their start, then each change."""
    tz = Timezone()
    tz.add("tzid", zone.key)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    offset = _offset(zone, start)
    daylight = _daylight(zone, start)
    local = start.astimezone(zone)
    tz.add_component(
        _component(daylight, local.replace(tzinfo=None), offset, offset, local.tzname() or "")
    )
    for change in transitions(zone, first_year, last_year):
        local_before = (change.at + change.before).replace(tzinfo=None)
        tz.add_component(
            _component(change.daylight, local_before, change.before, change.after, change.name)
        )
    return tz


def _component(
    daylight: bool,
    dtstart: datetime,
    before: timedelta,
    after: timedelta,
    name: str,
) -> Component:
    component: Component = TimezoneDaylight() if daylight else TimezoneStandard()
    component.add("dtstart", dtstart)
    component.add("tzoffsetfrom", before)
    component.add("tzoffsetto", after)
    component.add("tzname", name)
    return component


def _transition(zone: ZoneInfo, low: datetime, high: datetime) -> Transition:
    before = _offset(zone, low)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    moment = high.replace(microsecond=0)
    if _offset(zone, moment) == before:
        moment += timedelta(seconds=1)
    local = moment.astimezone(zone)
    return Transition(
        moment, before, _offset(zone, moment), local.tzname() or "", _daylight(zone, moment)
    )


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _daylight(zone: ZoneInfo, moment: datetime) -> bool:
    return bool(moment.astimezone(zone).dst())
