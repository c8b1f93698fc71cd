"""Load the TOML config and check every section; every error names the key path and the fix."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.config import read
from sprechstunde_cli.config.announce.model import AnnounceSettings
from sprechstunde_cli.config.handoff import parse_handoff
from sprechstunde_cli.config.hour import parse_hour
from sprechstunde_cli.config.model import Config
from sprechstunde_cli.config.providers import KNOWN_PROVIDERS, parse_providers
from sprechstunde_cli.config.sessions import parse_session
from sprechstunde_cli.config.texts import parse_templates, parse_texts
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.config.mail import MailSettings

DEFAULT_TIMEZONE = "Europe/Berlin"
SECTIONS = (
    "office", "hour", "sessions", "texts", "templates", "providers",
    "mail", "handoff", "schedules", "announce",
)  # fmt: skip


def load_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(
            _("No config file at {path}.").format(path=path),
            _("Run: sprechstunde init (or pass --config FILE / set SPRECHSTUNDE_CONFIG)."),
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            _("Cannot read {path}: {strerror}.").format(
                path=path, strerror=exc.strerror or type(exc).__name__
            ),
            _("Check the file and its permissions."),
        ) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        # Typically Latin-1 or Windows-1252 from a Windows editor: "ü" as one byte.
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            _(
                "{path} is not saved as UTF-8 (line {line} has a character in another "
                "encoding, probably Windows-1252 or Latin-1)."
            ).format(path=path, line=line),
            _(
                "Open it in your editor and save it as UTF-8 (in Notepad: Save as, Encoding: "
                "UTF-8), then run the command again."
            ),
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path} is not valid TOML: {exc}.").format(path=path, exc=exc),
            _("Fix the syntax at the line named."),
        ) from None
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | None = None) -> Config:
    read.check_keys(raw, "", SECTIONS)
    office_tbl = read.table(raw, "office", "office")
    read.check_keys(office_tbl, "office", {"name", "operator", "timezone"})
    # Checked in this order, so one run names the first problem of the file as read top-down.
    office = read.string(office_tbl, "name", "office.name", "")
    operator = read.string(office_tbl, "operator", "office.operator", "")
    timezone = read.zone(
        read.string(office_tbl, "timezone", "office.timezone", DEFAULT_TIMEZONE),
        "office.timezone",
    )
    hour = parse_hour(read.table(raw, "hour", "hour"))
    texts = parse_texts(read.table(raw, "texts", "texts"))
    templates = parse_templates(read.table(raw, "templates", "templates"))
    providers = parse_providers(read.table(raw, "providers", "providers"))
    sessions_tbl = read.table(raw, "sessions", "sessions")
    sessions = {
        sid: parse_session(
            sid, read.table(sessions_tbl, sid, f"sessions.{sid}"), timezone, KNOWN_PROVIDERS
        )
        for sid in sessions_tbl
    }
    schedules = _schedules(raw, timezone)
    for sid in sessions:
        if schedules and _find(schedules, sid) is not None:
            raise ConfigError(
                _("has the id of a date of a schedule."),
                _("Rename the session."),
                f"sessions.{sid}",
            )
    mail = _mail(read.table(raw, "mail", "mail")) if "mail" in raw else None
    announce = _announce(read.table(raw, "announce", "announce"), path)
    if "email" in announce.channels and mail is None:
        raise ConfigError(
            _("needs a [mail] section (the SMTP server to send through)."),
            _("Add [mail] with host and sender, or set enabled = false."),
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
        providers=providers,
        path=path,
        mail=mail,
        handoff=parse_handoff(read.table(raw, "handoff", "handoff")),
        schedules=schedules,
        announce=announce,
    )


# The readers of sections most configs leave out (or that only some commands use), imported
# when the file has the section: every command loads the config.


def _schedules(raw: Mapping[str, Any], timezone: str) -> dict[str, Any]:
    tbl = read.table(raw, "schedules", "schedules")
    if not tbl:
        return {}
    from sprechstunde_cli.config.schedules import parse_schedules

    return parse_schedules(tbl, timezone, KNOWN_PROVIDERS)


def _find(schedules: Mapping[str, Any], sid: str) -> object:
    from sprechstunde_cli.domain.schedule import find

    return find(schedules, sid)


def _mail(tbl: Mapping[str, Any]) -> MailSettings:
    from sprechstunde_cli.config.mail import parse_mail_settings

    return parse_mail_settings(tbl, "mail")


def _announce(tbl: Mapping[str, Any], path: Path | None) -> AnnounceSettings:
    if not tbl:
        return AnnounceSettings()  # what parse_announce makes of an empty section
    from sprechstunde_cli.config.announce.parse import parse_announce

    return parse_announce(tbl, KNOWN_PROVIDERS, path.parent if path else None)
