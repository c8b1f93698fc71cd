"""Announce sessions: find what is due, post each (session, offset, target) at most once.

Safe to run from cron every few minutes. The ledger (store/announcements.py) is claimed before
anything is posted; overlapping runs skip what another run holds. A run that died after posting
but before recording is noticed once its lease runs out: a target that drops a repeated key
(Mastodon's Idempotency-Key) gets the same key again; any other is recorded as uncertain and
reported, never posted twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.config.announce import Offset
from sprechstunde_cli.domain.model import SessionSpec, SessionState
from sprechstunde_cli.domain.texts import german_date
from sprechstunde_cli.errors import ConfigError, ProviderError, SprechstundeError, StateError
from sprechstunde_cli.services.texts import next_session_text
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import announcements as ledger

# Longer than a whole run takes (each target times out after 30 s), well inside Mastodon's hour
# for a repeated Idempotency-Key.
LEASE = timedelta(minutes=15)
LOOKBACK = timedelta(days=7)  # beyond grace: how far back missed ones are still recorded
BACKOFF_CAP = timedelta(minutes=30)


class Target(Protocol):
    name: str
    # How long a repeat with the same key is dropped by the target; None: never safe to repeat.
    dedup_window: timedelta | None

    def post(self, text: str, *, key: str, subject: str) -> str: ...


# (target name, session) -> the target, or None where it cannot post for this session.
TargetSource = Callable[[str, SessionSpec], Target | None]


@dataclass(frozen=True)
class Item:
    spec: SessionSpec
    offset: Offset
    target: str

    @property
    def due_at(self) -> datetime:
        return self.offset.due(self.spec)


@dataclass(frozen=True)
class Outcome:
    session_id: str
    offset: str
    target: str
    due_at: datetime
    status: str  # sent | resent | failed | skipped | uncertain | busy | done
    detail: str = ""


@dataclass(frozen=True)
class AnnounceReport:
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


def run_due(
    store: Store, config: Config, now: datetime, targets: TargetSource, *, owner: str, actor: str
) -> AnnounceReport:
    """Post every announcement whose time has come; record the missed ones as skipped."""
    grace = config.announce.grace
    outcomes: list[Outcome] = []
    for spec in candidates(config, now):
        due = [i for i in items(config, spec) if now - grace - LOOKBACK <= i.due_at <= now]
        latest: dict[str, Item] = {}
        for item in due:
            if item.target not in latest or item.due_at > latest[item.target].due_at:
                latest[item.target] = item
        for item in due:
            newest = latest[item.target]
            if newest is not item:
                reason = f"superseded by '{newest.offset.name}', which is due too"
                outcomes += _skip(store, item, now, reason)
            elif item.due_at < now - grace:
                reason = f"missed: due {_when(item.due_at, spec)}, grace {_span(grace)} is over"
                outcomes += _skip(store, item, now, reason)
            elif not item.offset.at_end and now >= spec.end:
                outcomes += _skip(store, item, now, "the session is already over")
            else:
                outcomes += _send(store, config, item, now, targets, owner, actor, manual=False)
    return AnnounceReport(tuple(outcomes))


def send_now(
    store: Store,
    config: Config,
    session_id: str,
    offset_name: str,
    now: datetime,
    targets: TargetSource,
    *,
    owner: str,
    actor: str,
    only: str | None = None,
) -> AnnounceReport:
    """Post one offset's announcement of one session right away (still once per target)."""
    spec = config.session(session_id)
    offset = config.announce.offset(offset_name)
    if offset is None:
        known = ", ".join(o.name for o in config.announce.offsets) or "none"
        raise ConfigError(
            f"No announcement offset '{offset_name}' (known: {known}).",
            "Pick one of the known offsets, or add it under [announce.offsets].",
        )
    chosen = [i for i in items(config, spec) if i.offset == offset]
    chosen = [i for i in chosen if only is None or i.target == only]
    if not chosen:
        raise ConfigError(
            f"No announcement target posts the offset '{offset_name}'"
            + (f" to '{only}'." if only else "."),
            "Enable a target under [announce] (messenger, mastodon, email) and list the offset "
            "in its offsets.",
        )
    outcomes: list[Outcome] = []
    for item in chosen:
        outcomes += _send(store, config, item, now, targets, owner, actor, manual=True)
    return AnnounceReport(tuple(outcomes))


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


def _send(
    store: Store,
    config: Config,
    item: Item,
    now: datetime,
    targets: TargetSource,
    owner: str,
    actor: str,
    *,
    manual: bool,
) -> list[Outcome]:
    spec, name = item.spec, item.target

    def outcome(status: str, detail: str = "") -> list[Outcome]:
        return [Outcome(spec.id, item.offset.name, name, item.due_at, status, detail)]

    got = ledger.claim(
        store,
        spec.id,
        item.offset.name,
        name,
        due_at=item.due_at,
        now=now,
        lease=LEASE,
        owner=owner,
        manual=manual,
    )
    if isinstance(got, ledger.Entry):
        if got.state == ledger.SENDING:
            return outcome("busy", "another run is posting it right now")
        if manual:
            return outcome("done", f"already {got.state}")
        return []  # sent, skipped, or a failure waiting for its retry time: nothing new
    claim = got
    try:
        target = targets(name, spec)
        if target is None:
            reason = f"the messenger '{spec.provider}' cannot post public notices"
            ledger.record_given_up(store, claim, now, reason)
            return outcome("skipped", reason)
        status = "sent"
        if claim.interrupted_at is not None:
            window = target.dedup_window
            if window is None or now - claim.interrupted_at > window:
                note = _interrupted_note(item, claim.interrupted_at)
                ledger.record_uncertain(store, claim, now, note)
                return outcome("uncertain", note)
            status = "resent"  # same key: the target drops it if the first one arrived
        text, subject = text_for(config, item)
        remote_id = target.post(text, key=claim.key, subject=subject)
    except SprechstundeError as err:
        return outcome("failed", _failed(store, claim, now, err))
    except Exception as exc:  # one broken target must not stop the others
        bug = ProviderError(f"unexpected {type(exc).__name__}", "Please report this bug.")
        return outcome("failed", _failed(store, claim, now, bug))
    ledger.record_sent(store, claim, now, remote_id)
    if not item.offset.at_end:
        _mark_announced(store, spec, now, actor)
    return outcome(status)


def _failed(store: Store, claim: ledger.Claim, now: datetime, err: SprechstundeError) -> str:
    wait = timedelta(minutes=min(2**claim.attempt, BACKOFF_CAP.total_seconds() / 60))
    if isinstance(err, ProviderError) and err.retry_after:
        wait = max(wait, timedelta(seconds=err.retry_after))
    detail = f"{err.message} {err.hint}".strip()
    ledger.record_failed(store, claim, now, detail, now + wait)
    return detail


def _skip(store: Store, item: Item, now: datetime, reason: str) -> list[Outcome]:
    spec = item.spec
    note = _interrupted_note(item, None)
    news, why = ledger.record_skipped(
        store,
        spec.id,
        item.offset.name,
        item.target,
        due_at=item.due_at,
        now=now,
        reason=reason,
        interrupted_note=note,
    )
    if not news:
        return []  # recorded by an earlier run, and reported then
    return [Outcome(spec.id, item.offset.name, item.target, item.due_at, news, why)]


def _interrupted_note(item: Item, since: datetime | None) -> str:
    started = f" at {_when(since, item.spec)}" if since is not None else ""
    return (
        f"a run started posting it{started} and stopped before recording the result; it may "
        f"or may not have gone out. Check {item.target}; if it is missing: sprechstunde "
        f"announce {item.spec.id} --now --offset {item.offset.name} --target {item.target}"
    )


def _mark_announced(store: Store, spec: SessionSpec, now: datetime, actor: str) -> None:
    record = store.ensure_session(spec)
    if record.state is SessionState.PLANNED:
        with contextlib.suppress(StateError):  # an overlapping run got there first
            store.transition(spec.id, SessionState.ANNOUNCED, now, actor)


def _when(moment: datetime, spec: SessionSpec) -> str:
    return f"{moment.astimezone(ZoneInfo(spec.timezone)):%Y-%m-%d %H:%M}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def states(store: Store, session_ids: Iterable[str]) -> dict[tuple[str, str, str], str]:
    """Ledger state per (session, offset, target), for listings."""
    ids = list(session_ids)
    return {(e.session_id, e.offset, e.target): e.state for e in ledger.entries(store, ids)}
