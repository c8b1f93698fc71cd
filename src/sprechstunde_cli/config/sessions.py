"""`[sessions.<id>]`: one-off consultation hours in local wall-clock time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import read
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.registry import DEFAULT_PROVIDER


def parse_session(
    sid: str, tbl: Mapping[str, Any], default_tz: str, providers: tuple[str, ...]
) -> SessionSpec:
    key = f"sessions.{sid}"
    if not sid.replace("-", "").replace("_", "").isalnum() or not sid.isascii():
        raise ConfigError(
            _("a session id may hold only letters, digits, '-' and '_'."),
            _("Rename the table, e.g. [sessions.mittwoch-2026-12-02]."),
            key,
        )
    read.check_keys(tbl, key, {"title", "official", "start", "end", "timezone", "provider"})
    tz_name = read.zone(
        read.string(tbl, "timezone", f"{key}.timezone", default_tz), f"{key}.timezone"
    )
    zone = ZoneInfo(tz_name)
    start = _moment(tbl, key, "start", zone)
    end = _moment(tbl, key, "end", zone)
    if end <= start:
        raise ConfigError(
            _("must be later than start."), _("Set an end time after the start."), f"{key}.end"
        )
    return SessionSpec(
        id=sid,
        title=read.string(tbl, "title", f"{key}.title", "Bürgersprechstunde"),
        official=read.official(tbl, key),
        start=start,
        end=end,
        timezone=tz_name,
        provider=read.provider(tbl, key, providers, DEFAULT_PROVIDER),
    )


def _moment(tbl: Mapping[str, Any], key: str, name: str, zone: ZoneInfo) -> datetime:
    if name not in tbl:
        raise ConfigError(
            _("is missing."),
            _("Add {name} = 2026-12-02T16:00:00 (local time).").format(name=name),
            f"{key}.{name}",
        )
    value = tbl[name]
    if isinstance(value, str):
        # fromisoformat reads a bare date "2026-12-02" as midnight; that is a missing time.
        try:
            value = datetime.fromisoformat(value) if len(value.strip()) > 10 else None
        except ValueError:
            value = None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            # Converted, so "16:00+01:00" and "16:00" mean the same hour in Berlin in winter.
            return value.astimezone(zone)
        # Without offset it is wall-clock time in the session's zone. A time the clocks skip
        # (the spring-forward hour) would silently move by an hour, so it is refused.
        local = value.replace(tzinfo=zone)
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
            raise ConfigError(
                _("{value:%Y-%m-%d %H:%M} does not exist in {key} (the clocks skip it).").format(
                    value=value, key=zone.key
                ),
                _("Pick a time outside the daylight-saving change."),
                f"{key}.{name}",
            )
        return local
    if isinstance(value, date | time) or value is None:
        raise ConfigError(
            _("must be a date and time."),
            _("Write it as {name} = 2026-12-02T16:00:00.").format(name=name),
            f"{key}.{name}",
        )
    raise ConfigError(
        _("must be a date and time, not {kind}.").format(kind=type(value).__name__),
        _("Write it as {name} = 2026-12-02T16:00:00.").format(name=name),
        f"{key}.{name}",
    )
