"""The iCalendar feed (RFC 5545): one VEVENT per session, cancelled ones included.

UIDs are derived from the session id, so a calendar app that subscribed to the file updates an
event when it moves or is cancelled instead of showing it twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Component

from sprechstunde_cli import __version__
from sprechstunde_cli.adapters.vtimezone import vtimezone
from sprechstunde_cli.domain.schedule import Occurrence

_DTSTAMP = re.compile(rb"^DTSTAMP[:;].*\r\n", re.MULTILINE)

# UID → (fingerprint, least SEQUENCE) in; UID → SEQUENCE out (the store keeps them growing).
Sequencer = Callable[[Mapping[str, tuple[str, int]]], Mapping[str, int]]


def uid(session_id: str, domain: str) -> str:
    return f"{session_id}@{domain}"


def default_domain(office: str) -> str:
    """A stable UID domain from the office's name when announce.uid_domain is not set."""
    text = office.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50] or "office"
    # .invalid is reserved (RFC 2606): the UID names no real host.
    return f"{slug}.sprechstunde.invalid"


def build_ics(
    entries: Sequence[Occurrence],
    *,
    office: str,
    domain: str,
    handle_for: Callable[[str], str],
    now: datetime,
    sequencer: Sequencer,
) -> bytes:
    """The whole calendar as bytes; times carry their TZID and a VTIMEZONE describes it.
    `sequencer` numbers the events' SEQUENCE so that it never falls for a UID."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//sprechstunde//sprechstunde {__version__}//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Sprechstunden – {office}" if office else "Sprechstunden")
    fields = {uid(e.spec.id, domain): _fields(e, handle_for(e.spec.provider)) for e in entries}
    numbers = sequencer(
        {
            key: (_fingerprint(entry, values), 1 if entry.cancelled or entry.moved else 0)
            for (key, values), entry in zip(fields.items(), entries, strict=True)
        }
    )
    for (key, values), entry in zip(fields.items(), entries, strict=True):
        event = Event()
        event.add("uid", key)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", entry.spec.start)
        event.add("dtend", entry.spec.end)
        for name in ("summary", "description", "status"):
            event.add(name, values[name])
        # A changed event must carry a higher SEQUENCE for clients to prefer it.
        event.add("sequence", numbers[key])
        cal.add_component(event)
    for component in _timezones(entries):
        cal.add_component(component)
    return bytes(cal.to_ical())


def same_calendar(old: bytes, new: bytes) -> bool:
    """Equal but for DTSTAMP, which changes on every run: no rewrite needed."""
    return _DTSTAMP.sub(b"", old) == _DTSTAMP.sub(b"", new)


def _fields(entry: Occurrence, handle: str) -> dict[str, str]:
    return {
        "summary": entry.spec.title,
        "description": _description(entry, handle),
        "status": "CANCELLED" if entry.cancelled else "CONFIRMED",
    }


def _fingerprint(entry: Occurrence, values: Mapping[str, str]) -> str:
    """What a subscriber sees of an event: a change in any of it is a new SEQUENCE."""
    shown = {
        **values,
        "start": entry.spec.start.isoformat(),
        "end": entry.spec.end.isoformat(),
        "timezone": entry.spec.timezone,
    }
    text = "\n".join(f"{k}={shown[k]}" for k in sorted(shown))
    return hashlib.sha256(text.encode()).hexdigest()


def _timezones(entries: Sequence[Occurrence]) -> list[Component]:
    """One VTIMEZONE per zone the events use, over the years they span (and one either side,
    for a client's view around them)."""
    years: dict[str, list[int]] = {}
    for entry in entries:
        years.setdefault(entry.spec.timezone, []).extend(
            (entry.spec.start.year, entry.spec.end.year)
        )
    return [
        vtimezone(ZoneInfo(name), min(span) - 1, max(span) + 1)
        for name, span in sorted(years.items())
    ]


def _description(entry: Occurrence, handle: str) -> str:
    if entry.cancelled:
        why = f" (Feiertag: {entry.holiday})" if entry.holiday else ""
        return f"Diese Sprechstunde entfällt{why}."
    lines = [f"{entry.spec.title} mit {entry.spec.official}."]
    if handle:
        lines.append(f"Schreiben Sie an {handle} – Text, Fotos oder Sprachnachrichten.")
    lines.append("Eine Anmeldung ist nicht nötig. Anrufe sind nicht möglich.")
    return " ".join(lines)
