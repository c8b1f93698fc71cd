"""What gets announced: each offset of a session to each target that posts it, and its text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.config.announce import Offset
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.domain.texts import german_date
from sprechstunde_cli.services.texts import next_session_text
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import announcements as ledger

LOOKBACK = timedelta(days=7)  # beyond grace: how far back missed ones are still recorded


class Target(Protocol):
    name: str
    # How long a repeat with the same key is dropped by the target; None: never safe to repeat.
    dedup_window: timedelta | None

    def post(self, text: str, *, key: str, subject: str) -> str: ...


# (target name, session) -> the target, or None where it cannot post for this session.
TargetSource = Callable[[str, SessionSpec], Target | None]


@dataclass(frozen=True)
class Item:
    """One announcement to make: one offset of a session, posted to one target."""

    spec: SessionSpec
    offset: Offset
    target: str

    @property
    def due_at(self) -> datetime:
        return self.offset.due(self.spec)


@dataclass(frozen=True)
class Outcome:
    """What became of one announcement in this run (sent, failed, skipped …), for the operator."""

    session_id: str
    offset: str
    target: str
    due_at: datetime
    status: str  # sent | resent | failed | skipped | uncertain | busy | done
    detail: str = ""


@dataclass(frozen=True)
class AnnounceReport:
    """What one `announce` run did with each announcement that was due."""

    outcomes: tuple[Outcome, ...]

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "uncertain")]


def items(config: Config, spec: SessionSpec) -> list[Item]:
    """Every announcement of `spec`: each offset to each enabled target that posts it."""
    channels = config.announce.channels
    return [
        Item(spec, offset, target)
        for offset in config.announce.offsets
        for target, channel in channels.items()
        if channel.posts(offset)
    ]


def candidates(config: Config, now: datetime) -> list[SessionSpec]:
    """Sessions with an announcement due now or missed recently enough to record."""
    since = now - config.announce.grace - LOOKBACK
    # Offsets count wall-clock days ("7d" before 16:00 is 16:00), which across a DST change is
    # an hour more or less than 7×24 h: a day's margin keeps such a session in view.
    ahead = now + config.announce.longest + timedelta(days=1)
    return [s for s in config.upcoming(since) if s.start <= ahead]


def text_for(config: Config, item: Item) -> tuple[str, str]:
    """The announcement's text and (for e-mail) subject, filled for the session."""
    values = placeholder_values(config, item.spec)
    subject = ""
    channel = config.announce.channels.get(item.target)
    if channel is not None and channel.subject:
        subject = channel.subject.format_map(values)
    return item.offset.template.format_map(values), subject


def placeholder_values(config: Config, spec: SessionSpec) -> dict[str, str]:
    zone = ZoneInfo(spec.timezone)
    start, end = spec.start.astimezone(zone), spec.end.astimezone(zone)
    next_text = next_session_text(config, spec.end, spec.id)
    values = _Values(
        title=spec.title,
        official=spec.official,
        office=config.office,
        date=german_date(start),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        handle=config.announce.handle_for(spec.provider),
        next_session=next_text,
    )
    # data_note is itself a template (it may name the end time), filled after the others.
    values["data_note"] = config.texts.data_note.format_map(values)
    return values


class _Values(dict[str, str]):
    # A placeholder only other texts know (the validated config allows it) reads as empty.
    def __missing__(self, key: str) -> str:
        return ""


def states(store: Store, session_ids: Iterable[str]) -> dict[tuple[str, str, str], str]:
    """Ledger state per (session, offset, target), for listings."""
    ids = list(session_ids)
    return {(e.session_id, e.offset, e.target): e.state for e in ledger.entries(store, ids)}
