"""Fill the citizen-facing texts for one session."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.domain.texts import german_date, german_span, render


def next_session_text(config: Config, after: datetime, exclude: str) -> str:
    """'Mittwoch, 16.12.2026, 16:00–17:00 Uhr' in that session's zone, or the fallback text."""
    upcoming = config.next_session_after(after, exclude=exclude)
    if upcoming is None:
        return config.texts.no_next_session
    zone = ZoneInfo(upcoming.timezone)
    return german_span(upcoming.start.astimezone(zone), upcoming.end.astimezone(zone))


def values(session: SessionRecord, config: Config) -> dict[str, str]:
    zone = ZoneInfo(session.timezone)
    start = (session.opened_at or session.planned_start).astimezone(zone)
    end = session.end.astimezone(zone)
    next_text = next_session_text(config, end, session.id)
    out = {
        "title": session.title,
        "official": session.official,
        "office": config.office,
        "date": german_date(start),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "next_session": next_text,
    }
    # data_note is itself a template (it may name the end time), filled after the others.
    out["data_note"] = render(config.texts.data_note, {**out, "data_note": ""})
    return out


def between_hours(template: str, config: Config, upcoming: SessionSpec | None) -> str:
    """A text `standby` sends between hours: the session it names is the next one that can
    still take place (None: the fallback text)."""
    if upcoming is None:
        out = {k: "" for k in ("title", "official", "date", "start", "end")}
        out |= {"office": config.office, "next_session": config.texts.no_next_session}
    else:
        zone = ZoneInfo(upcoming.timezone)
        start, end = upcoming.start.astimezone(zone), upcoming.end.astimezone(zone)
        out = {
            "title": upcoming.title,
            "official": upcoming.official,
            "office": config.office,
            "date": german_date(start),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "next_session": german_span(start, end),
        }
    out["data_note"] = render(config.texts.data_note, {**out, "data_note": ""})
    return render(template, out)


def fill(template: str, session: SessionRecord, config: Config) -> str:
    return render(template, values(session, config))
