"""The iCalendar feed (RFC 5545): one VEVENT per session, cancelled ones included.

UIDs are derived from the session id, so a calendar app that subscribed to the file updates an
event when it moves or is cancelled instead of showing it twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sprechstunde_cli import __version__
from sprechstunde_cli.domain.schedule import Occurrence

_DTSTAMP = re.compile(rb"^DTSTAMP[:;].*\r\n", re.MULTILINE)


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
) -> bytes:
    """The whole calendar as bytes; times carry their TZID and a VTIMEZONE describes it."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//sprechstunde//sprechstunde {__version__}//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Sprechstunden – {office}" if office else "Sprechstunden")
    for entry in entries:
        spec = entry.spec
        event = Event()
        event.add("uid", uid(spec.id, domain))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", spec.start)
        event.add("dtend", spec.end)
        event.add("summary", spec.title)
        event.add("description", _description(entry, handle_for(spec.provider)))
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        # A changed event must carry a higher SEQUENCE for clients to prefer it.
        event.add("sequence", 1 if entry.cancelled or entry.moved else 0)
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def same_calendar(old: bytes, new: bytes) -> bool:
    """Equal but for DTSTAMP, which changes on every run: no rewrite needed."""
    return _DTSTAMP.sub(b"", old) == _DTSTAMP.sub(b"", new)


def _description(entry: Occurrence, handle: str) -> str:
    if entry.cancelled:
        why = f" (Feiertag: {entry.holiday})" if entry.holiday else ""
        return f"Diese Sprechstunde entfällt{why}."
    lines = [f"{entry.spec.title} mit {entry.spec.official}."]
    if handle:
        lines.append(f"Schreiben Sie an {handle} – Text, Fotos oder Sprachnachrichten.")
    lines.append("Eine Anmeldung ist nicht nötig. Anrufe sind nicht möglich.")
    return " ".join(lines)
