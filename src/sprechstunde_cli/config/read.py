"""Typed readers for config tables; every error names its key path and the fix.

Every section's parser in config/ reads its table through these.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def check_keys(tbl: Mapping[str, Any], where: str, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for name in tbl:
        if name not in allowed:
            unknown(f"{where}.{name}" if where else name, name, allowed)


def unknown(key: str, name: str, allowed: Iterable[str], what: str = "key") -> NoReturn:
    import difflib  # only for a mistake: a command reading one good section never needs it

    known = sorted(allowed)
    close = difflib.get_close_matches(name, known, n=1)
    hint = (
        _("Did you mean '{close}'?").format(close=close[0])
        if close
        else _("Known: {names}.").format(names=", ".join(known))
    )
    raise ConfigError(_("unknown {what} '{name}'.").format(what=what, name=name), hint, key)


def table(tbl: Mapping[str, Any], name: str, key: str) -> Mapping[str, Any]:
    value = tbl.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(_("must be a table."), _("Write it as [{key}].").format(key=key), key)
    return value


def string(tbl: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
    if name not in tbl:
        if default is None:
            raise ConfigError(_("is missing."), _('Add {name} = "…".').format(name=name), key)
        return default
    value = tbl[name]
    if not isinstance(value, str):
        raise ConfigError(
            _("must be a string, not {kind}.").format(kind=type(value).__name__),
            _('Quote it: {name} = "…".').format(name=name),
            key,
        )
    return value


def provider(tbl: Mapping[str, Any], key: str, known: Iterable[str], default: str) -> str:
    """`provider = "…"` of a session or schedule: one of the declared messengers."""
    name = string(tbl, "provider", f"{key}.provider", default)
    if name not in known:
        unknown(f"{key}.provider", name, known, what="provider")
    return name


def official(tbl: Mapping[str, Any], key: str) -> str:
    """Who answers in a session; never empty (citizens would read "mit  und Team")."""
    name = string(tbl, "official", f"{key}.official")
    if not name.strip():
        raise ConfigError(
            _("is empty."),
            _('Name who answers, e.g. official = "Oberbürgermeisterin …".'),
            f"{key}.official",
        )
    return name


def boolean(tbl: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
    value = tbl.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(
            _("must be true or false."), _("Write {name} = true.").format(name=name), key
        )
    return value


def zone(name: str, key: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            _("unknown time zone '{name}'.").format(name=name),
            _('Use an IANA name such as "Europe/Berlin".'),
            key,
        ) from None
    return name


def local_date(value: object, key: str) -> date:
    """A TOML date (2026-12-02) or the same as a string."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ConfigError(_("must be a date."), _("Write it as 2026-12-02 (year-month-day)."), key)


def clock_time(value: object, key: str) -> time:
    """A wall-clock time: "16:00" or a TOML local time 16:00:00."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = time.fromisoformat(value.strip())
    if isinstance(value, time) and value.tzinfo is None:
        return value
    raise ConfigError(_("must be a time of day."), _('Write it as "16:00".'), key)


def local_datetime(value: object, key: str) -> datetime:
    """A date and wall-clock time without offset: 2026-12-22T16:00:00 (TOML or string)."""
    if isinstance(value, str) and len(value.strip()) > 10:
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime) and value.tzinfo is None:
        return value
    raise ConfigError(
        _("must be a date and wall-clock time without offset."),
        _("Write it as 2026-12-22T16:00:00 (local time in the schedule's zone)."),
        key,
    )


def duration(value: object, key: str) -> timedelta:
    """ "7d", "1d12h", "90m", "0": how long before something."""
    text = value.strip() if isinstance(value, str) else ""
    match = _DURATION.fullmatch(text) if text and text != "0" else None
    if text == "0":
        return timedelta(0)
    if match is None or not any(match.groups()):
        raise ConfigError(
            _("is not a duration: {value!r}.").format(value=value),
            _('Write days, hours and minutes like "7d", "1h", "1d12h", "30m", or "0".'),
            key,
        )
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def template(text: str, key: str, allowed: frozenset[str]) -> str:
    """Check a citizen-facing template: well-formed, and only known {placeholders}."""
    from sprechstunde_cli.domain.texts import placeholders_in

    try:
        used = placeholders_in(text)
    except ValueError as exc:
        raise ConfigError(
            f"{exc}.", _("Use {name} placeholders only; write {{ for a brace."), key
        ) from None
    unknown = sorted(used - allowed)
    if unknown:
        raise ConfigError(
            _("unknown placeholder {{{unknown}}}.").format(unknown=unknown[0]),
            _("Known placeholders: {names}").format(
                names=", ".join("{" + p + "}" for p in sorted(allowed))
            ),
            key,
        )
    return text
