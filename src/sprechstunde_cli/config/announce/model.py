"""The `[announce]` section's values: offsets, German templates, targets, files.

Announcements are public notices. A target that would message citizens one by one (a list of
phone numbers, contacts, chats) is refused: messengers forbid bulk messaging and the office
phone keeps no contacts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.domain.spec import SessionSpec

PLACEHOLDERS = frozenset(
    {"title", "official", "office", "date", "start", "end", "handle", "data_note", "next_session"}
)
TARGETS = ("messenger", "mastodon", "email")  # each announcement goes to each at most once
MAX_OFFSET = timedelta(days=60)

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

_NAME = re.compile(r"[a-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Offset:
    """When an announcement goes out, before a session's start (or at its end), and its text."""

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
    """The files `announce` keeps up to date: the calendar's ICS feed and the website snippet."""

    ics: Path | None = None
    snippet: Path | None = None
    sessions: int = 3  # how many dates the snippet lists


@dataclass(frozen=True)
class AnnounceSettings:
    """The `[announce]` section: when notices go out, to which targets, under which handle."""

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
