"""Parse `[schedules.<id>]` tables; every error names its key path and the fix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.config import read
from sprechstunde_cli.domain.schedule import BUNDESLAENDER, Schedule, compiled, is_rule_date
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.registry import DEFAULT_PROVIDER

if TYPE_CHECKING:
    from dateutil.rrule import rrule

_KEYS = {
    "rrule", "first", "start_time", "end_time", "timezone", "title", "official", "provider",
    "until", "count", "skip", "move", "holidays",
}  # fmt: skip
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The time of day comes from start_time; a rule part that sets it would contradict it.
_FORBIDDEN_PARTS = {
    "DTSTART": "first",
    "UNTIL": "until",
    "COUNT": "count",
    "BYHOUR": "start_time",
    "BYMINUTE": "start_time",
    "BYSECOND": "start_time",
}
_ID = re.compile(r"[A-Za-z0-9_-]+")


def parse_schedules(
    tbl: Mapping[str, Any], default_tz: str, providers: Iterable[str]
) -> dict[str, Schedule]:
    known = tuple(providers)
    return {
        sid: _parse(sid, read.table(tbl, sid, f"schedules.{sid}"), default_tz, known) for sid in tbl
    }


def _parse(
    sid: str, tbl: Mapping[str, Any], default_tz: str, providers: tuple[str, ...]
) -> Schedule:
    key = f"schedules.{sid}"
    if not _ID.fullmatch(sid):
        raise ConfigError(
            _("a schedule id may hold only letters, digits, '-' and '_'."),
            _("Rename the table, e.g. [schedules.mittwoch]."),
            key,
        )
    read.check_keys(tbl, key, _KEYS)
    tz_key = f"{key}.timezone"
    tz = read.zone(read.string(tbl, "timezone", tz_key, default_tz), tz_key)
    rule_text = _rule_text(tbl, key)
    first, start, end = _times(tbl, key)
    until, count = _bounds(tbl, key)
    schedule = Schedule(
        id=sid,
        rrule=rule_text,
        first=first,
        start_time=start,
        end_time=end,
        timezone=tz,
        title=read.string(tbl, "title", f"{key}.title", "Bürgersprechstunde"),
        official=read.official(tbl, key),
        provider=read.provider(tbl, key, providers, DEFAULT_PROVIDER),
        until=until,
        count=count,
        holidays=_holidays(tbl, key),
    )
    try:
        rule = compiled(schedule)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            _("is not a valid RFC 5545 rule ({exc}).").format(exc=exc),
            _('Write e.g. rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE".'),
            f"{key}.rrule",
        ) from None
    _check_first(schedule, rule, key)
    skip = frozenset(_dates(tbl.get("skip", []), f"{key}.skip", schedule))
    moves = _moves(tbl, key, schedule)
    clash = sorted(skip & {d for d, _ in moves})
    if clash:
        raise ConfigError(
            _("{clash} is both skipped and moved.").format(clash=clash[0]),
            _("Remove it from one of skip and move."),
            f"{key}.move",
        )
    return replace(schedule, skip=skip, move=moves)


def _times(tbl: Mapping[str, Any], key: str) -> tuple[date, time, time]:
    """The first date, and the wall-clock start and end of every session."""
    if "first" not in tbl:
        raise ConfigError(
            _("is missing."),
            _("Add first = 2026-12-02 (the first session's date)."),
            f"{key}.first",
        )
    first = read.local_date(tbl["first"], f"{key}.first")
    for name in ("start_time", "end_time"):
        if name not in tbl:
            raise ConfigError(
                _("is missing."), _('Add {name} = "16:00".').format(name=name), f"{key}.{name}"
            )
    start = read.clock_time(tbl["start_time"], f"{key}.start_time")
    end = read.clock_time(tbl["end_time"], f"{key}.end_time")
    if end <= start:
        raise ConfigError(
            _("must be later than start_time (a session ends on the day it starts)."),
            _('Set e.g. end_time = "17:00".'),
            f"{key}.end_time",
        )
    return first, start, end


def _bounds(tbl: Mapping[str, Any], key: str) -> tuple[date | None, int | None]:
    """The last date (until) or the number of sessions (count), never both."""
    until = read.local_date(tbl["until"], f"{key}.until") if "until" in tbl else None
    count = _count(tbl, key)
    if until is not None and count is not None:
        raise ConfigError(
            _("and count cannot both be set (RFC 5545)."),
            _("Keep one: the last date (until) or the number of sessions (count)."),
            f"{key}.until",
        )
    return until, count


def _holidays(tbl: Mapping[str, Any], key: str) -> str:
    code = read.string(tbl, "holidays", f"{key}.holidays", "")
    if code and code.upper() not in BUNDESLAENDER:
        raise ConfigError(
            _("unknown Bundesland code '{code}'.").format(code=code),
            _('Use one of: {codes} (e.g. "BE" for Berlin).').format(codes=", ".join(BUNDESLAENDER)),
            f"{key}.holidays",
        )
    return code.upper()


def _rule_text(tbl: Mapping[str, Any], key: str) -> str:
    text = read.string(tbl, "rrule", f"{key}.rrule").strip()
    text = text.removeprefix("RRULE:").removeprefix("rrule:")
    parts: dict[str, str] = {}
    for part in filter(None, text.split(";")):
        name, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(
                _("'{part}' is not NAME=VALUE.").format(part=part),
                _('Write e.g. rrule = "FREQ=WEEKLY;BYDAY=WE".'),
                f"{key}.rrule",
            )
        parts[name.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ", "")
    if freq not in _FREQS:
        raise ConfigError(
            _("FREQ must be one of {join}, not '{value}'.").format(
                join=", ".join(_FREQS), value=freq or "missing"
            ),
            _("Start the rule with FREQ=WEEKLY (or DAILY, MONTHLY, YEARLY)."),
            f"{key}.rrule",
        )
    for part, instead in _FORBIDDEN_PARTS.items():
        if part in parts:
            raise ConfigError(
                _("{part} does not belong in the rule here.").format(part=part),
                _("Remove it and set {key}.{instead} instead.").format(key=key, instead=instead),
                f"{key}.rrule",
            )
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _count(tbl: Mapping[str, Any], key: str) -> int | None:
    if "count" not in tbl:
        return None
    value = tbl["count"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            _("must be a whole number of at least 1."), _("Write e.g. count = 10."), f"{key}.count"
        )
    return value


def _check_first(schedule: Schedule, rule: rrule, key: str) -> None:
    # Never rule.count(): an open-ended rule has no end to count to.
    found = next(iter(rule), None)
    first = found.date() if found is not None else None
    if first == schedule.first:
        return
    if first is None:
        raise ConfigError(
            _("the rule gives no session at all from this first date."),
            _("Check rrule, until and count."),
            f"{key}.first",
        )
    # RFC 5545 leaves a DTSTART outside its own rule undefined; say which date the rule means.
    raise ConfigError(
        _("{first} is not a date of the rule {rrule}.").format(
            first=schedule.first, rrule=schedule.rrule
        ),
        _("The rule's first date from there is {first}: set first = {first}.").format(first=first),
        f"{key}.first",
    )


def _dates(value: object, key: str, schedule: Schedule) -> list[date]:
    if not isinstance(value, list):
        raise ConfigError(_("must be a list of dates."), _("Write e.g. skip = [2026-12-30]."), key)
    found = []
    for item in value:
        day = read.local_date(item, key)
        _check_rule_date(schedule, day, key)
        found.append(day)
    return found


def _moves(
    tbl: Mapping[str, Any], key: str, schedule: Schedule
) -> tuple[tuple[date, datetime], ...]:
    raw = read.table(tbl, "move", f"{key}.move")
    moves = []
    for name, target in raw.items():
        where = f'{key}.move."{name}"'
        day = read.local_date(name, where)
        _check_rule_date(schedule, day, where)
        moves.append((day, read.local_datetime(target, where)))
    return tuple(sorted(moves))


def _check_rule_date(schedule: Schedule, day: date, key: str) -> None:
    if not is_rule_date(schedule, day):
        nearby = compiled(schedule).after(datetime.combine(day, time.min), True)
        hint = (
            _("The rule's next date from there is {date}.").format(date=nearby.date())
            if nearby
            else ""
        )
        raise ConfigError(
            _("{day} is not a date of this schedule.").format(day=day),
            hint or _("List only dates the rule produces."),
            key,
        )
