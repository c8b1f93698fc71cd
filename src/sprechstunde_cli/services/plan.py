"""The calendar view: upcoming sessions with their state, the ICS feed, the website snippet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.adapters.ics import build_ics, default_domain, same_calendar
from sprechstunde_cli.adapters.snippet import build_snippet
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.schedule import HORIZON, Occurrence, calendar
from sprechstunde_cli.errors import SprechstundeError
from sprechstunde_cli.services.announce import Item, candidates, items, states, text_for
from sprechstunde_cli.services.sessions import finished, still_to_come
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.calendar import sequences
from sprechstunde_cli.system.files import publish

# The feed keeps the last month, so a subscriber still sees what was cancelled or moved lately.
FEED_PAST = timedelta(days=31)


@dataclass(frozen=True)
class CalendarRow:
    """One date of the calendar view, with its session's state."""

    entry: Occurrence
    state: str  # a SessionState value, or "cancelled"


@dataclass(frozen=True)
class FileResult:
    """One calendar file (ICS feed, website snippet) after publishing: written, same, or failed."""

    path: Path
    written: bool  # False: it already said the same
    error: str = ""


@dataclass(frozen=True)
class PreviewRow:
    """One announcement of the preview: how far it has got, and what it says."""

    item: Item
    state: str  # planned | due | missed | sending | sent | failed | skipped | uncertain
    text: str


def upcoming_rows(store: Store, config: Config, now: datetime, count: int) -> list[CalendarRow]:
    """The next `count` sessions that take place, and the cancelled dates among them; a session
    held already (closed before its planned end) is not one of them."""
    known = {record.id: record.state.value for record in store.sessions()}
    done = finished(store)
    rows: list[CalendarRow] = []
    held = 0
    for entry in calendar(config.sessions, config.schedules, now, now + HORIZON):
        if held >= count:
            break
        if entry.spec.id in done:
            continue
        held += not entry.cancelled
        state = "cancelled" if entry.cancelled else known.get(entry.spec.id, "planned")
        rows.append(CalendarRow(entry, state))
    return rows


def feed(config: Config, now: datetime) -> list[Occurrence]:
    return calendar(config.sessions, config.schedules, now - FEED_PAST, now + HORIZON)


def ics_bytes(store: Store, config: Config, now: datetime) -> bytes:
    """The feed; the store keeps each event's SEQUENCE so that it never falls (RFC 5545)."""
    domain = config.announce.uid_domain or default_domain(config.office)
    return build_ics(
        feed(config, now),
        office=config.office,
        domain=domain,
        handle_for=config.announce.handle_for,
        now=now,
        sequencer=lambda events: sequences(store, events),
    )


def snippet_text(store: Store, config: Config, now: datetime, count: int) -> str:
    """The website's next dates: only sessions that can still take place."""
    held = finished(store)
    entries = [
        e
        for e in calendar(config.sessions, config.schedules, now, now + HORIZON)
        if e.spec.id not in held
    ]
    return build_snippet(entries, count=count, handle_for=config.announce.handle_for)


# The two files below are published (0644, system/files.py `publish`) because they hold only the
# office's public schedule: titles, times, place, the official as announced, the messenger
# handle. Nothing a citizen sent may ever go into them; that would need write_private.
def write_ics(store: Store, config: Config, now: datetime, path: Path) -> bool:
    return publish(path, ics_bytes(store, config, now), same_calendar)


def write_snippet(store: Store, config: Config, now: datetime, path: Path, count: int) -> bool:
    return publish(path, snippet_text(store, config, now, count).encode("utf-8"))


def publish_files(store: Store, config: Config, now: datetime) -> list[FileResult]:
    """Rewrite the configured ICS and snippet files; one failing does not stop the other."""
    files = config.announce.files
    results = []
    jobs: list[tuple[Path | None, Callable[[Path], bool]]] = [
        (files.ics, lambda p: write_ics(store, config, now, p)),
        (files.snippet, lambda p: write_snippet(store, config, now, p, files.sessions)),
    ]
    for path, job in jobs:
        if path is None:
            continue
        try:
            results.append(FileResult(path, job(path)))
        except SprechstundeError as err:
            results.append(FileResult(path, False, f"{err.message} {err.hint}".strip()))
    return results


def preview(store: Store, config: Config, now: datetime, sessions: int) -> list[PreviewRow]:
    """What `announce --due` would post and when, for the next sessions and recent misses."""
    held = finished(store)
    specs = {s.id: s for s in candidates(config, now) if s.id not in held}
    specs.update({s.id: s for s in still_to_come(store, config, now)[:sessions]})
    known = states(store, specs)
    grace = config.announce.grace
    rows = []
    for spec in specs.values():
        for item in items(config, spec):
            state = known.get((spec.id, item.offset.name, item.target))
            if state is None:
                if item.due_at > now:
                    state = "planned"
                else:
                    state = "due" if item.due_at >= now - grace else "missed"
            elif item.due_at < now - grace and state not in ("failed", "uncertain", "sending"):
                continue  # settled long ago: not worth a line
            rows.append(PreviewRow(item, state, text_for(config, item)[0]))
    return sorted(rows, key=lambda r: (r.item.due_at, r.item.spec.id, r.item.target))
