"""The website snippet (Markdown that reads fine as plain text): the next dates, in German."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sprechstunde_cli.domain.schedule import Occurrence
from sprechstunde_cli.domain.texts import german_date


def hours(start: datetime, end: datetime) -> str:
    """'16–17 Uhr', or '16:30–17:30 Uhr' when a time is not on the hour."""
    if start.minute == 0 and end.minute == 0:
        return f"{start.hour}–{end.hour} Uhr"
    return f"{start:%H:%M}–{end:%H:%M} Uhr"


def when(entry: Occurrence) -> str:
    zone = ZoneInfo(entry.spec.timezone)
    start, end = entry.spec.start.astimezone(zone), entry.spec.end.astimezone(zone)
    return f"{german_date(start)}, {hours(start, end)}"


def build_snippet(
    entries: Sequence[Occurrence], *, count: int, handle_for: Callable[[str], str]
) -> str:
    """The next `count` sessions; cancelled dates among them are named as such."""
    held = [e for e in entries if not e.cancelled][:count]
    if not held:
        return "Die nächste Sprechstunde wird rechtzeitig angekündigt.\n"
    first = held[0]
    handle = handle_for(first.spec.provider)
    reach = f" Schreiben Sie an {handle}." if handle else ""
    lines = [
        f"Nächste {first.spec.title}: {when(first)}, mit {first.spec.official}.{reach}",
    ]
    if len(held) > 1:
        lines += ["", "Weitere Termine:"]
        lines += [f"- {when(e)}" for e in held[1:]]
    last = held[-1].spec.start
    cancelled = [e for e in entries if e.cancelled and e.spec.start < last]
    if cancelled:
        lines += ["", "Entfällt:"]
        for e in cancelled:
            why = f" (Feiertag: {e.holiday})" if e.holiday else ""
            lines.append(
                f"- {german_date(e.spec.start.astimezone(ZoneInfo(e.spec.timezone)))}{why}"
            )
    return "\n".join(lines) + "\n"
