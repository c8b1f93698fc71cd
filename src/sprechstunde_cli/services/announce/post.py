"""Post what is due, each (session, offset, target) at most once, however often cron runs this.

The ledger (store/announcements.py) is claimed before anything is posted; overlapping runs skip
what another run holds. A run that died after posting but before recording is noticed once its
lease runs out: a target that drops a repeated key (Mastodon's Idempotency-Key) gets the same key
again; any other is recorded as uncertain and reported, never posted twice.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.domain.retry import Backoff, Random, uniform
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ConfigError, ProviderError, SprechstundeError, StateError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.services.announce.items import (
    LOOKBACK,
    AnnounceReport,
    Item,
    Outcome,
    TargetSource,
    candidates,
    items,
    text_for,
)
from sprechstunde_cli.services.sessions import finished
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import announcements as ledger
from sprechstunde_cli.system.redact import summary

# Longer than a whole run takes (each target times out after 30 s), well inside Mastodon's hour
# for a repeated Idempotency-Key.
LEASE = timedelta(minutes=15)
# A failed post is retried by a later run: after a random wait of up to two minutes, four, eight …
# at most half an hour (jittered, so many offices' cron jobs do not retry in step).
BACKOFF = Backoff(base=60.0, cap=1800.0)


def run_due(
    store: Store,
    config: Config,
    now: datetime,
    targets: TargetSource,
    *,
    owner: str,
    actor: str,
    rng: Random = uniform,
) -> AnnounceReport:
    """Post every announcement whose time has come; record the missed ones as skipped."""
    grace = config.announce.grace
    outcomes: list[Outcome] = []
    held = finished(store)
    for spec in (s for s in candidates(config, now) if s.id not in held):
        due = [i for i in items(config, spec) if now - grace - LOOKBACK <= i.due_at <= now]
        latest: dict[str, Item] = {}
        for item in due:
            if item.target not in latest or item.due_at > latest[item.target].due_at:
                latest[item.target] = item
        for item in due:
            newest = latest[item.target]
            if newest is not item:
                reason = _("superseded by '{name}', which is due too").format(
                    name=newest.offset.name
                )
                outcomes += _skip(store, item, now, reason)
            elif item.due_at < now - grace:
                reason = _("missed: due {when}, grace {span} is over").format(
                    when=_when(item.due_at, spec), span=_span(grace)
                )
                outcomes += _skip(store, item, now, reason)
            elif not item.offset.at_end and now >= spec.end:
                outcomes += _skip(store, item, now, _("the session is already over"))
            else:
                outcomes += _send(
                    store, config, item, now, targets, owner, actor, rng, manual=False
                )
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
    rng: Random = uniform,
) -> AnnounceReport:
    """Post one offset's announcement of one session right away (still once per target)."""
    spec = config.session(session_id)
    offset = config.announce.offset(offset_name)
    if offset is None:
        known = ", ".join(o.name for o in config.announce.offsets) or "none"
        raise ConfigError(
            _("No announcement offset '{offset_name}' (known: {known}).").format(
                offset_name=offset_name, known=known
            ),
            _("Pick one of the known offsets, or add it under [announce.offsets]."),
        )
    chosen = [i for i in items(config, spec) if i.offset == offset]
    chosen = [i for i in chosen if only is None or i.target == only]
    if not chosen:
        raise ConfigError(
            (
                _("No announcement target posts the offset '{offset}' to '{target}'.")
                if only
                else _("No announcement target posts the offset '{offset}'.")
            ).format(offset=offset_name, target=only),
            _(
                "Enable a target under [announce] (messenger, mastodon, email) and list the offset "
                "in its offsets."
            ),
        )
    outcomes: list[Outcome] = []
    for item in chosen:
        outcomes += _send(store, config, item, now, targets, owner, actor, rng, manual=True)
    return AnnounceReport(tuple(outcomes))


def _send(
    store: Store,
    config: Config,
    item: Item,
    now: datetime,
    targets: TargetSource,
    owner: str,
    actor: str,
    rng: Random,
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
            return outcome("busy", _("another run is posting it right now"))
        if manual:
            return outcome("done", f"already {got.state}")
        return []  # sent, skipped, or a failure waiting for its retry time: nothing new
    claim = got
    try:
        target = targets(name, spec)
        if target is None:
            reason = _("the messenger '{provider}' cannot post public notices").format(
                provider=spec.provider
            )
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
        return outcome("failed", _failed(store, claim, now, err, rng))
    except Exception as exc:  # one broken target must not stop the others
        bug = ProviderError(
            _("unexpected {kind}").format(kind=type(exc).__name__), _("Please report this bug.")
        )
        return outcome("failed", _failed(store, claim, now, bug, rng))
    ledger.record_sent(store, claim, now, remote_id)
    if not item.offset.at_end:
        _mark_announced(store, spec, now, actor)
    return outcome(status)


def _failed(
    store: Store, claim: ledger.Claim, now: datetime, err: SprechstundeError, rng: Random
) -> str:
    wait = timedelta(seconds=BACKOFF.delay(claim.attempt, rng))
    if isinstance(err, ProviderError) and err.retry_after:
        wait = max(wait, timedelta(seconds=err.retry_after))
    # Shown and stored alike: redacted, one line, bounded (it may quote a server).
    detail = summary(f"{err.message} {err.hint}")
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
    note = (
        _(
            "a run started posting it at {when} and stopped before recording the result; it may "
            "or may not have gone out. Check {target}; if it is missing: sprechstunde announce "
            "{session} --now --offset {offset} --target {target}"
        )
        if since is not None
        else _(
            "a run started posting it and stopped before recording the result; it may or may "
            "not have gone out. Check {target}; if it is missing: sprechstunde announce "
            "{session} --now --offset {offset} --target {target}"
        )
    )
    return note.format(
        when=_when(since, item.spec) if since is not None else "",
        target=item.target,
        session=item.spec.id,
        offset=item.offset.name,
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
