"""The `[announce]` section: offsets, German templates, targets. Pure: no I/O, no HTTP.

Announcements are public notices. A target that would message citizens one by one (a list of
phone numbers, contacts, chats) is refused: messengers forbid bulk messaging and the office
phone keeps no contacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.domain.model import SessionSpec
from sprechstunde_cli.domain.texts import placeholders_in
from sprechstunde_cli.errors import ConfigError

PLACEHOLDERS = frozenset(
    {"title", "official", "office", "date", "start", "end", "handle", "data_note", "next_session"}
)
TARGETS = ("messenger", "mastodon", "email")  # each announcement goes to each at most once
MAX_OFFSET = timedelta(days=60)
MAX_EMAIL_RECIPIENTS = 10

DEFAULT_TEMPLATES = {
    "week": (
        "{title}: Am {date}, von {start} bis {end} Uhr, beantwortet {official} Ihre Fragen. "
        "Schreiben Sie an {handle} – Text, Fotos oder Sprachnachrichten, ohne Anmeldung. "
        "Anrufe sind nicht möglich. {data_note}"
    ),
    "day": (
        "Erinnerung – morgen, {date}, von {start} bis {end} Uhr: {title} mit {official}. "
        "Schreiben Sie an {handle}."
    ),
    "hour": (
        "In einer Stunde, um {start} Uhr, beginnt die {title} mit {official}. "
        "Schreiben Sie ab {start} Uhr an {handle}."
    ),
    "start": (
        "Jetzt geöffnet bis {end} Uhr: {title} mit {official}. Schreiben Sie an {handle} – "
        "Text, Fotos oder Sprachnachrichten. {data_note}"
    ),
    "end": (
        "Die {title} ist beendet. Vielen Dank für Ihre Nachrichten! Alle Chats dieser "
        "Sprechstunde werden jetzt gelöscht. Die nächste Sprechstunde: {next_session}."
    ),
}
# Without an [announce.offsets] table: a notice a week ahead, a reminder, and "jetzt geöffnet".
DEFAULT_OFFSETS = {"week": "7d", "day": "1d", "start": "0"}
DEFAULT_SUBJECT = "{title} am {date}, {start}–{end} Uhr"

# Keys that would turn an announcement into messages to individual citizens.
_BULK_KEYS = {
    "to", "recipients", "numbers", "phone_numbers", "phones", "contacts", "chats", "citizens",
    "subscribers", "broadcast_list",
}  # fmt: skip
_NAME = re.compile(r"[a-z0-9_-]{1,32}")
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
_PHONE = re.compile(r"\+?[\d\s()./-]{6,}")


@dataclass(frozen=True)
class Offset:
    name: str
    before: timedelta  # how long before the start; unused when at_end
    template: str
    at_end: bool = False

    def due(self, spec: SessionSpec) -> datetime:
        return spec.end if self.at_end else spec.start - self.before


@dataclass(frozen=True)
class Channel:
    """One announcement target: which offsets it posts, plus its own settings."""

    offsets: tuple[str, ...]
    instance: str = ""  # mastodon: https://social.example.org
    visibility: str = "public"  # mastodon
    language: str = "de"  # mastodon
    to: tuple[str, ...] = ()  # email: distribution-list addresses
    subject: str = DEFAULT_SUBJECT  # email

    def posts(self, offset: Offset) -> bool:
        return offset.name in self.offsets


@dataclass(frozen=True)
class Files:
    ics: Path | None = None
    snippet: Path | None = None
    sessions: int = 3  # how many dates the snippet lists


@dataclass(frozen=True)
class AnnounceSettings:
    offsets: tuple[Offset, ...] = ()
    channels: Mapping[str, Channel] = field(default_factory=dict)  # enabled targets only
    files: Files = Files()
    grace: timedelta = timedelta(hours=2)
    handle: str = ""
    handles: Mapping[str, str] = field(default_factory=dict)  # per provider
    uid_domain: str = ""

    def offset(self, name: str) -> Offset | None:
        return next((o for o in self.offsets if o.name == name), None)

    def handle_for(self, provider: str) -> str:
        return self.handles.get(provider, self.handle)

    @property
    def longest(self) -> timedelta:
        return max((o.before for o in self.offsets), default=timedelta(0))


def parse_announce(
    tbl: Mapping[str, Any], providers: Iterable[str], base: Path | None = None
) -> AnnounceSettings:
    if not tbl:
        return AnnounceSettings()
    _refuse_bulk(tbl, "announce")
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
            channel = _channel(target, read.table(tbl, target, f"announce.{target}"), names)
            if channel is not None:
                channels[target] = channel
    uses_handle = any("handle" in placeholders_in(o.template) for o in offsets)
    if channels and uses_handle and not (handle.strip() or handles):
        raise ConfigError(
            "is empty, but the announcement texts name it as {handle}.",
            'Set the office\'s messenger number or handle, e.g. handle = "+49 000 0000000".',
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
                "an offset name may hold only a-z, 0-9, '-' and '_' (up to 32).",
                "Rename it, e.g. week, day, hour, start, end.",
                key,
            )
        at_end = value == "end"
        before = timedelta(0) if at_end else read.duration(value, key)
        if before > MAX_OFFSET:
            raise ConfigError(
                f"is more than {MAX_OFFSET.days} days before the session.",
                'Announce closer to the date, e.g. "7d".',
                key,
            )
        template = _template(templates, name)
        offsets.append(Offset(name, before, template, at_end))
    return tuple(sorted(offsets, key=lambda o: (o.at_end, -o.before, o.name)))


def _template(templates: Mapping[str, Any], name: str) -> str:
    key = f"announce.templates.{name}"
    if name not in templates and name not in DEFAULT_TEMPLATES:
        raise ConfigError(
            "is missing: there is no built-in text for this offset.",
            f'Add [announce.templates] {name} = "…" with the text to post.',
            key,
        )
    text = read.string(templates, name, key, DEFAULT_TEMPLATES.get(name))
    read.template(text, key, PLACEHOLDERS)
    if not text.strip():
        raise ConfigError("is empty.", "Write the announcement's text.", key)
    return text


def _channel(target: str, tbl: Mapping[str, Any], offsets: tuple[str, ...]) -> Channel | None:
    key = f"announce.{target}"
    if target != "email":
        _refuse_bulk(tbl, key)
    extra = {
        "messenger": set(),
        "mastodon": {"instance", "visibility", "language"},
        "email": {"to", "subject"},
    }[target]
    read.check_keys(tbl, key, {"enabled", "offsets"} | extra)
    if not read.boolean(tbl, "enabled", f"{key}.enabled", True):
        return None
    chosen = _offset_list(tbl, key, offsets)
    if target == "mastodon":
        return Channel(
            chosen,
            instance=_instance(tbl, key),
            visibility=_choice(tbl, key, "visibility", ("public", "unlisted"), "public"),
            language=read.string(tbl, "language", f"{key}.language", "de"),
        )
    if target == "email":
        subject = read.string(tbl, "subject", f"{key}.subject", DEFAULT_SUBJECT)
        read.template(subject, f"{key}.subject", PLACEHOLDERS)
        return Channel(chosen, to=_recipients(tbl, key), subject=subject)
    return Channel(chosen)


def _offset_list(tbl: Mapping[str, Any], key: str, offsets: tuple[str, ...]) -> tuple[str, ...]:
    value = tbl.get("offsets", list(offsets))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            "must be a list of offset names.", 'Write e.g. offsets = ["week", "day"].', key
        )
    for name in value:
        if name not in offsets:
            read.unknown(f"{key}.offsets", name, offsets, what="offset")
    return tuple(name for name in offsets if name in value)


def _instance(tbl: Mapping[str, Any], key: str) -> str:
    url = read.string(tbl, "instance", f"{key}.instance").strip().rstrip("/")
    match = re.fullmatch(r"(https?)://([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(:\d+)?", url)
    loopback = match is not None and match.group(2) in {"localhost", "127.0.0.1", "[::1]"}
    if match is None or (match.group(1) == "http" and not loopback):
        raise ConfigError(
            f"is not an https address of a Mastodon server: {url!r}.",
            'Write the server only, e.g. instance = "https://social.example.org".',
            f"{key}.instance",
        )
    return url


def _choice(
    tbl: Mapping[str, Any], key: str, name: str, options: tuple[str, ...], default: str
) -> str:
    value = read.string(tbl, name, f"{key}.{name}", default)
    if value not in options:
        raise ConfigError(
            f"must be one of {', '.join(options)}.", f'Write {name} = "{default}".', f"{key}.{name}"
        )
    return value


def _recipients(tbl: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = tbl.get("to")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError("is missing.", 'Add to = ["presseverteiler@example.org"].', f"{key}.to")
    for address in value:
        if _PHONE.fullmatch(address.strip()):
            _bulk(f"{key}.to")
        if not _EMAIL.fullmatch(address.strip()):
            raise ConfigError(
                f"{address!r} is not an e-mail address.",
                'Write e.g. "presseverteiler@example.org".',
                f"{key}.to",
            )
    if len(value) > MAX_EMAIL_RECIPIENTS:
        # One message goes to every address; a long list of people is bulk mail in disguise.
        raise ConfigError(
            f"lists {len(value)} addresses; announcements go to a few distribution lists, "
            "never to citizens one by one.",
            "Send to one distribution-list address (e.g. the press list) instead.",
            f"{key}.to",
        )
    return tuple(a.strip() for a in value)


def _refuse_bulk(tbl: Mapping[str, Any], key: str) -> None:
    for name in tbl:
        if name in _BULK_KEYS:
            _bulk(f"{key}.{name}")


def _bulk(key: str) -> None:
    raise ConfigError(
        "sprechstunde never sends announcements to citizens one by one: the messengers "
        "forbid bulk messaging and the office phone keeps no contacts.",
        "Announce publicly instead: the messenger's status or channel ([announce.messenger]), "
        "Mastodon, a press e-mail list, or the calendar and website files.",
        key,
    )


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
            "must be a whole number from 1 to 50.",
            "Write e.g. sessions = 3.",
            "announce.files.sessions",
        )
    return Files(ics=path("ics"), snippet=path("snippet"), sessions=sessions)


def _domain(tbl: Mapping[str, Any]) -> str:
    domain = read.string(tbl, "uid_domain", "announce.uid_domain", "").strip().lower()
    if domain and not re.fullmatch(r"[a-z0-9.-]+", domain):
        raise ConfigError(
            "must be a domain name.",
            'Write e.g. uid_domain = "musterstadt.example.org".',
            "announce.uid_domain",
        )
    return domain
