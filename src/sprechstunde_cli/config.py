"""Load and validate the TOML config. Every error names the key path and the fix."""

from __future__ import annotations

import math
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sprechstunde_cli import confread
from sprechstunde_cli.announce.settings import AnnounceSettings, parse_announce
from sprechstunde_cli.config_handoff import HandoffSettings, parse_handoff
from sprechstunde_cli.domain.model import SessionSpec
from sprechstunde_cli.domain.texts import (
    DEFAULT_TEXTS,
    EXTRA_PLACEHOLDERS,
    PLACEHOLDERS,
    Texts,
)
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.mail import MailSettings, parse_mail_settings
from sprechstunde_cli.providers.registry import PROVIDERS
from sprechstunde_cli.schedule import Schedule, find, planned
from sprechstunde_cli.schedule.parse import parse_schedules

# One list of providers: the registry's (it imports no provider module itself).
KNOWN_PROVIDERS = tuple(PROVIDERS)
DEFAULT_TIMEZONE = "Europe/Berlin"
# Sections parsed by their own modules.
EXTRA_SECTIONS = ("mail", "handoff", "schedules", "announce")


@dataclass(frozen=True)
class HourSettings:
    last_call_minutes: float = 10.0
    poll_seconds: float = 1.0
    max_message_chars: int = 4096
    max_media_mb: float = 25.0
    # Run to open a photo or voice note; {file} is replaced by the path. Empty: just print it.
    media_command: str = ""

    @property
    def max_media_bytes(self) -> int:
        return int(self.max_media_mb * 1024 * 1024)


@dataclass(frozen=True)
class Config:
    office: str
    operator: str
    timezone: str
    sessions: Mapping[str, SessionSpec]
    texts: Texts = DEFAULT_TEXTS
    templates: Mapping[str, str] = field(default_factory=dict)
    hour: HourSettings = HourSettings()
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    mail: MailSettings | None = None  # None: hand-offs go to an export file instead
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    schedules: Mapping[str, Schedule] = field(default_factory=dict)
    announce: AnnounceSettings = field(default_factory=AnnounceSettings)

    def session(self, session_id: str) -> SessionSpec:
        if session_id in self.sessions:
            return self.sessions[session_id]
        # A schedule's date: "<schedule>-2026-12-16", found without expanding the whole rule.
        found = find(self.schedules, session_id)
        if found is not None and not found.cancelled:
            return found.spec
        if found is not None:
            why = f"public holiday: {found.holiday}" if found.holiday else "listed in skip"
            raise ConfigError(
                f"Session '{session_id}' is cancelled ({why}).",
                f"To hold it after all, move it: [schedules.{found.schedule}.move].",
            )
        known = ", ".join([*self.sessions, *(f"{s}-YYYY-MM-DD" for s in self.schedules)])
        raise ConfigError(
            f"No session '{session_id}' in the config (known: {known or 'none'}).",
            "Add a [sessions.<id>] table to the config, or pick one of the known ids "
            "(sprechstunde schedule lists the dates).",
        )

    def upcoming(self, now: datetime) -> list[SessionSpec]:
        """Sessions that have not ended yet, soonest first (schedules up to a horizon)."""
        specs = [*self.sessions.values(), *planned(self.schedules, now)]
        return sorted((s for s in specs if s.end > now), key=lambda s: s.start)

    def next_session_after(self, moment: datetime, exclude: str = "") -> SessionSpec | None:
        later = [s for s in self.upcoming(moment) if s.start > moment and s.id != exclude]
        return later[0] if later else None


# --- loading ---------------------------------------------------------------------------------


def load_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(
            f"No config file at {path}.",
            "Run: sprechstunde init (or pass --config FILE / set SPRECHSTUNDE_CONFIG).",
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}.", "Fix the syntax at the line named."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Cannot read {path}: {exc}.", "Check the file and its permissions."
        ) from None
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | None = None) -> Config:
    _check_keys(
        raw, "", {"office", "hour", "sessions", "texts", "templates", "providers", *EXTRA_SECTIONS}
    )
    office_tbl = _table(raw, "office")
    _check_keys(office_tbl, "office", {"name", "operator", "timezone"})
    office = _str(office_tbl, "office.name", "name", default="")
    operator = _str(office_tbl, "office.operator", "operator", default="")
    timezone = _zone(
        _str(office_tbl, "office.timezone", "timezone", default=DEFAULT_TIMEZONE), "office.timezone"
    )
    hour = _parse_hour(_table(raw, "hour"))
    texts = _parse_texts(_table(raw, "texts"))
    templates = _parse_templates(_table(raw, "templates"))
    providers_tbl = _table(raw, "providers")
    for name in providers_tbl:
        if name not in KNOWN_PROVIDERS:
            _unknown(f"providers.{name}", name, KNOWN_PROVIDERS, what="provider")
        _table(providers_tbl, name, prefix="providers.")
    sessions_tbl = _table(raw, "sessions")
    sessions = {
        sid: _parse_session(sid, _table(sessions_tbl, sid, prefix="sessions."), timezone)
        for sid in sessions_tbl
    }
    schedules = parse_schedules(_table(raw, "schedules"), timezone, KNOWN_PROVIDERS)
    for sid in sessions:
        if find(schedules, sid) is not None:
            raise ConfigError(
                "has the id of a date of a schedule.", "Rename the session.", f"sessions.{sid}"
            )
    mail = parse_mail_settings(_table(raw, "mail"), "mail") if "mail" in raw else None
    announce = parse_announce(
        _table(raw, "announce"), KNOWN_PROVIDERS, path.parent if path else None
    )
    if "email" in announce.channels and mail is None:
        raise ConfigError(
            "needs a [mail] section (the SMTP server to send through).",
            "Add [mail] with host and sender, or set enabled = false.",
            "announce.email",
        )
    return Config(
        office=office,
        operator=operator,
        timezone=timezone,
        sessions=dict(sorted(sessions.items(), key=lambda kv: kv[1].start)),
        texts=texts,
        templates=templates,
        hour=hour,
        providers={k: dict(v) for k, v in providers_tbl.items()},
        path=path,
        mail=mail,
        handoff=parse_handoff(_table(raw, "handoff")),
        schedules=schedules,
        announce=announce,
    )


def _parse_session(sid: str, tbl: Mapping[str, Any], default_tz: str) -> SessionSpec:
    key = f"sessions.{sid}"
    if not sid.replace("-", "").replace("_", "").isalnum() or not sid.isascii():
        raise ConfigError(
            "a session id may hold only letters, digits, '-' and '_'.",
            "Rename the table, e.g. [sessions.mittwoch-2026-12-02].",
            key,
        )
    _check_keys(tbl, key, {"title", "official", "start", "end", "timezone", "provider"})
    tz_name = _zone(_str(tbl, f"{key}.timezone", "timezone", default=default_tz), f"{key}.timezone")
    zone = ZoneInfo(tz_name)
    start = _moment(tbl, key, "start", zone)
    end = _moment(tbl, key, "end", zone)
    if end <= start:
        raise ConfigError(
            "must be later than start.", "Set an end time after the start.", f"{key}.end"
        )
    provider = _str(tbl, f"{key}.provider", "provider", default="local")
    if provider not in KNOWN_PROVIDERS:
        _unknown(f"{key}.provider", provider, KNOWN_PROVIDERS, what="provider")
    official = _str(tbl, f"{key}.official", "official", required=True)
    if not official.strip():
        # Citizens would read "Hier schreiben Sie mit  und Team."
        raise ConfigError(
            "is empty.",
            'Name who answers, e.g. official = "Oberbürgermeisterin …".',
            f"{key}.official",
        )
    return SessionSpec(
        id=sid,
        title=_str(tbl, f"{key}.title", "title", default="Bürgersprechstunde"),
        official=official,
        start=start,
        end=end,
        timezone=tz_name,
        provider=provider,
    )


def _parse_hour(tbl: Mapping[str, Any]) -> HourSettings:
    names = {f.name for f in fields(HourSettings)}
    _check_keys(tbl, "hour", names)
    values: dict[str, Any] = {}
    for f in fields(HourSettings):
        if f.name not in tbl:
            continue
        value = tbl[f.name]
        if f.name == "media_command":
            values[f.name] = _command(tbl, "hour.media_command", f.name)
            continue
        # TOML allows nan and inf; neither is a usable limit or interval.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ConfigError(
                f"must be a non-negative number, not {value!r}.",
                "Write a plain number such as 10.",
                f"hour.{f.name}",
            )
        values[f.name] = float(value)
    chars = tbl.get("max_message_chars", HourSettings.max_message_chars)
    if not isinstance(chars, int) or chars < 1:
        raise ConfigError(
            f"must be a whole number of at least 1, not {chars!r}.",
            "Write e.g. max_message_chars = 4096.",
            "hour.max_message_chars",
        )
    values["max_message_chars"] = chars
    if values.get("poll_seconds", 1.0) <= 0:
        raise ConfigError("must be greater than 0.", "Use e.g. 1.0.", "hour.poll_seconds")
    return HourSettings(**values)


def _command(tbl: Mapping[str, Any], key: str, name: str) -> str:
    # The command is split like a shell would split it (never run through a shell), so an
    # unbalanced quote is caught here rather than when the first photo arrives.
    command = _str(tbl, key, name)
    try:
        shlex.split(command)
    except ValueError as exc:
        raise ConfigError(
            f"cannot be split into arguments: {exc}.",
            'Balance the quotes, e.g. media_command = "xdg-open {file}".',
            key,
        ) from None
    return command


def _parse_texts(tbl: Mapping[str, Any]) -> Texts:
    names = [f.name for f in fields(Texts)]
    _check_keys(tbl, "texts", set(names))
    values = {
        name: _text(
            tbl,
            f"texts.{name}",
            name,
            getattr(DEFAULT_TEXTS, name),
            PLACEHOLDERS | EXTRA_PLACEHOLDERS.get(name, frozenset()),
        )
        for name in names
    }
    return Texts(**values)


def _parse_templates(tbl: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in tbl:
        text = _text(tbl, f"templates.{name}", name, "")
        if not text.strip():
            raise ConfigError(
                "is empty.", "Write the template's text or remove it.", f"templates.{name}"
            )
        out[name] = text
    return out


# --- small typed readers -----------------------------------------------------------------------


def _table(tbl: Mapping[str, Any], name: str, prefix: str = "") -> Mapping[str, Any]:
    return confread.table(tbl, name, prefix + name)


def _str(
    tbl: Mapping[str, Any],
    key: str,
    name: str,
    *,
    default: str | None = None,
    required: bool = False,
) -> str:
    return confread.string(tbl, name, key, None if required else default)


def _text(
    tbl: Mapping[str, Any],
    key: str,
    name: str,
    default: str,
    allowed: frozenset[str] = PLACEHOLDERS,
) -> str:
    return confread.template(_str(tbl, key, name, default=default), key, allowed)


_zone = confread.zone


def _moment(tbl: Mapping[str, Any], key: str, name: str, zone: ZoneInfo) -> datetime:
    if name not in tbl:
        raise ConfigError(
            "is missing.", f"Add {name} = 2026-12-02T16:00:00 (local time).", f"{key}.{name}"
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
                f"{value:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks skip it).",
                "Pick a time outside the daylight-saving change.",
                f"{key}.{name}",
            )
        return local
    if isinstance(value, date | time) or value is None:
        raise ConfigError(
            "must be a date and time.",
            f"Write it as {name} = 2026-12-02T16:00:00.",
            f"{key}.{name}",
        )
    raise ConfigError(
        f"must be a date and time, not {type(value).__name__}.",
        f"Write it as {name} = 2026-12-02T16:00:00.",
        f"{key}.{name}",
    )


_check_keys = confread.check_keys
_unknown = confread.unknown
