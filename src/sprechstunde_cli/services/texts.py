"""Fill the citizen-facing texts for one session."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.texts import german_date, german_span, render


def values(session: SessionRecord, config: Config) -> dict[str, str]:
    zone = ZoneInfo(session.timezone)
    start = (session.opened_at or session.planned_start).astimezone(zone)
    end = session.end.astimezone(zone)
    upcoming = config.next_session_after(end, exclude=session.id)
    if upcoming is None:
        next_text = config.texts.no_next_session
    else:
        next_zone = ZoneInfo(upcoming.timezone)
        next_text = german_span(
            upcoming.start.astimezone(next_zone), upcoming.end.astimezone(next_zone)
        )
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


def fill(template: str, session: SessionRecord, config: Config) -> str:
    return render(template, values(session, config))
