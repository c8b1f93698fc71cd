"""Read `[announce]`; every error names its key path and the fix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.config.announce.model import (
    _NAME,
    DEFAULT_OFFSETS,
    DEFAULT_TEMPLATES,
    MAX_OFFSET,
    PLACEHOLDERS,
    TARGETS,
    AnnounceSettings,
    Files,
    Offset,
)
from sprechstunde_cli.config.announce.targets import parse_channel, refuse_bulk
from sprechstunde_cli.domain.texts import placeholders_in
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _


def parse_announce(
    tbl: Mapping[str, Any], providers: Iterable[str], base: Path | None = None
) -> AnnounceSettings:
    if not tbl:
        return AnnounceSettings()
    refuse_bulk(tbl, "announce")
    allowed = {"grace", "handle", "handles", "uid_domain", "offsets", "templates", "files"}
    read.check_keys(tbl, "announce", allowed | set(TARGETS))
    grace = read.duration(tbl.get("grace", "2h"), "announce.grace")
    handle = read.string(tbl, "handle", "announce.handle", "")
    handles = _handles(read.table(tbl, "handles", "announce.handles"), tuple(providers))
    offsets = _offsets(tbl)
    names = tuple(o.name for o in offsets)
    channels = {}
    for target in TARGETS:
        if target in tbl:
            channel = parse_channel(target, read.table(tbl, target, f"announce.{target}"), names)
            if channel is not None:
                channels[target] = channel
    uses_handle = any("handle" in placeholders_in(o.template) for o in offsets)
    if channels and uses_handle and not (handle.strip() or handles):
        raise ConfigError(
            _("is empty, but the announcement texts name it as {handle}."),
            _('Set the office\'s messenger number or handle, e.g. handle = "+49 000 0000000".'),
            "announce.handle",
        )
    return AnnounceSettings(
        offsets=offsets,
        channels=channels,
        files=_files(read.table(tbl, "files", "announce.files"), base),
        grace=grace,
        handle=handle.strip(),
        handles=handles,
        uid_domain=_domain(tbl),
    )


def _offsets(tbl: Mapping[str, Any]) -> tuple[Offset, ...]:
    raw = read.table(tbl, "offsets", "announce.offsets") or DEFAULT_OFFSETS
    templates = read.table(tbl, "templates", "announce.templates")
    read.check_keys(templates, "announce.templates", raw)
    offsets = []
    for name, value in raw.items():
        key = f"announce.offsets.{name}"
        if not _NAME.fullmatch(name):
            raise ConfigError(
                _("an offset name may hold only a-z, 0-9, '-' and '_' (up to 32)."),
                _("Rename it, e.g. week, day, hour, start, end."),
                key,
            )
        at_end = value == "end"
        before = timedelta(0) if at_end else read.duration(value, key)
        if before > MAX_OFFSET:
            raise ConfigError(
                _("is more than {days} days before the session.").format(days=MAX_OFFSET.days),
                _('Announce closer to the date, e.g. "7d".'),
                key,
            )
        template = _template(templates, name)
        offsets.append(Offset(name, before, template, at_end))
    return tuple(sorted(offsets, key=lambda o: (o.at_end, -o.before, o.name)))


def _template(templates: Mapping[str, Any], name: str) -> str:
    key = f"announce.templates.{name}"
    if name not in templates and name not in DEFAULT_TEMPLATES:
        raise ConfigError(
            _("is missing: there is no built-in text for this offset."),
            _('Add [announce.templates] {name} = "…" with the text to post.').format(name=name),
            key,
        )
    text = read.string(templates, name, key, DEFAULT_TEMPLATES.get(name))
    read.template(text, key, PLACEHOLDERS)
    if not text.strip():
        raise ConfigError(_("is empty."), _("Write the announcement's text."), key)
    return text


def _handles(tbl: Mapping[str, Any], providers: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in tbl:
        if name not in providers:
            read.unknown(f"announce.handles.{name}", name, providers, what="provider")
        out[name] = read.string(tbl, name, f"announce.handles.{name}").strip()
    return out


def _files(tbl: Mapping[str, Any], base: Path | None) -> Files:
    read.check_keys(tbl, "announce.files", {"ics", "snippet", "sessions"})

    def path(name: str) -> Path | None:
        text = read.string(tbl, name, f"announce.files.{name}", "").strip()
        if not text:
            return None
        found = Path(text).expanduser()
        # Relative to the config file, so the result does not depend on cron's working dir.
        return found if found.is_absolute() or base is None else base / found

    sessions = tbl.get("sessions", 3)
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 50:
        raise ConfigError(
            _("must be a whole number from 1 to 50."),
            _("Write e.g. sessions = 3."),
            "announce.files.sessions",
        )
    return Files(ics=path("ics"), snippet=path("snippet"), sessions=sessions)


def _domain(tbl: Mapping[str, Any]) -> str:
    domain = read.string(tbl, "uid_domain", "announce.uid_domain", "").strip().lower()
    if domain and not re.fullmatch(r"[a-z0-9.-]+", domain):
        raise ConfigError(
            _("must be a domain name."),
            _('Write e.g. uid_domain = "musterstadt.example.org".'),
            "announce.uid_domain",
        )
    return domain
