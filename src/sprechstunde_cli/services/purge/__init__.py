"""Delete a closed session everywhere, prove it, and write the deletion receipt.

Order (docs/ARCHITECTURE.md, "Deletion"): hand-offs out → late messages turned away
(`drain.py`) → the citizens' apps have the closing words, or the grace is over (`closing.py`)
→ delete at the provider and list again (`remote.py`) → delete locally: rows, media, temp
files, WAL (`local.py`) → verify (`verify.py`) → destroy the key → receipt. Every step is safe
to repeat, so a purge killed at any point completes on a re-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sprechstunde_cli import __version__
from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Clock, SessionState, require_state
from sprechstunde_cli.domain.receipt import PurgeProgress, Receipt, StoreResult
from sprechstunde_cli.errors import IncompleteError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.services import handoff
from sprechstunde_cli.services.purge.closing import GRACE, Waiting, await_closing_words
from sprechstunde_cli.services.purge.drain import _drain_late
from sprechstunde_cli.services.purge.local import delete_local, figures, needles
from sprechstunde_cli.services.purge.remote import delete_remote
from sprechstunde_cli.services.purge.verify import scan
from sprechstunde_cli.services.receipt import build_receipt, counter_counts
from sprechstunde_cli.store import Store, purging
from sprechstunde_cli.system import logs

_log = logs.get("purge")


@dataclass(frozen=True)
class Places:
    """Where a session's data can be on this machine."""

    data_dir: Path
    session_dir: Path
    log_file: Path
    export_dir: Path


@dataclass(frozen=True)
class PurgePlan:
    """What a purge would delete, counted before it touches anything (`purge --dry-run`)."""

    session_id: str
    state: SessionState
    provider: str
    reach: DeleteReach
    chats: int
    provider_messages: int
    local_messages: int
    media_files: int
    handoffs_outstanding: int


def plan(store: Store, provider: Provider, session_id: str) -> PurgePlan:
    """What a purge would do, touching nothing (for --dry-run)."""
    session = store.require_session(session_id)
    refs = store.provider_refs(session_id)
    counts = purging.content_counts(store, session_id)
    return PurgePlan(
        session_id=session.id,
        state=session.state,
        provider=provider.name,
        reach=provider.capabilities.delete_reach,
        chats=len(refs),
        provider_messages=sum(len(ids) for ids in refs.values()),
        local_messages=counts["messages_in"] + counts["messages_out"],
        media_files=len(store.media_paths(session_id)),
        handoffs_outstanding=handoff.outstanding(store, session_id),
    )


def purge(
    store: Store,
    provider: Provider,
    config: Config,
    session_id: str,
    clock: Clock,
    *,
    places: Places,
    mailer: Mailer | None,
    export_handoffs: bool = False,
    skip_provider: bool = False,
    sleep: Callable[[float], None] | None = None,
    waiting: Callable[[Waiting], None] | None = None,
) -> Receipt:
    """Run (or finish) the purge; return the receipt. Raises IncompleteError on any gap."""
    session = store.require_session(session_id)
    if session.state is SessionState.PURGED:
        existing = purging.load_receipt(store, session_id)
        if existing is not None:
            return existing
    require_state(session_id, session.state, SessionState.CLOSED)
    for path in _handoffs(store, config, mailer, session_id, clock, places, export_handoffs, sleep):
        purging.note_export(store, session_id, path, clock.now())
    purging.mark_started(store, session_id, clock.now())
    progress = _prepare(store, session_id, clock)
    _drain_late(store, provider, config, session_id, clock, places.session_dir)
    counts = progress.counts or {}
    if GRACE not in counts:
        # Ctrl-C here leaves the purge started: a re-run waits only for what is left of it.
        figures = await_closing_words(
            store,
            provider,
            session_id,
            clock,
            config.hour.closing_grace_minutes,
            skip_provider=skip_provider,
            notify=waiting,
        )
        progress = replace(progress, counts={**counts, **figures})
        purging.save_progress(store, session_id, progress, clock.now())
    result = delete_remote(store, provider, session_id, skip_provider, clock)
    _log.info(
        "session %s: provider %s deleted %d of %d, %d remaining, %d failure(s)%s",
        session_id,
        result.provider,
        result.confirmed,
        result.requested,
        result.remaining,
        len(result.failed),
        " (skipped by operator)" if result.skipped_by_operator else "",
    )
    if not result.ok:
        raise IncompleteError(
            (
                _("The messenger still holds {remaining} of {requested} messages ({reason}).")
                if result.failed
                else _("The messenger still holds {remaining} of {requested} messages.")
            ).format(
                remaining=result.remaining,
                requested=result.requested,
                reason=result.failed[0] if result.failed else "",
            ),
            _(
                "Nothing was deleted locally yet. Run again: sprechstunde purge "
                "{session_id} (or add --skip-provider to delete only here, recorded in "
                "the receipt)"
            ).format(session_id=session_id),
        )
    progress = replace(progress, providers=(result,))
    purging.save_progress(store, session_id, progress, clock.now())
    return _delete_here(store, provider, session_id, clock, places, progress)


def _prepare(store: Store, session_id: str, clock: Clock) -> PurgeProgress:
    """Count, and note what to search for, before anything is deleted; saved to survive a
    crash."""
    progress = purging.load_progress(store, session_id)
    if progress.counts is None:
        progress = replace(progress, counts=_counts(store, session_id))
        purging.save_progress(store, session_id, progress, clock.now())
    if not progress.verified and purging.load_needles(store, session_id) is None:
        found, skipped = needles(store, session_id)
        purging.save_needles(store, session_id, found)
        progress = replace(progress, short_texts=skipped)
        purging.save_progress(store, session_id, progress, clock.now())
    return progress


def _delete_here(
    store: Store,
    provider: Provider,
    session_id: str,
    clock: Clock,
    places: Places,
    progress: PurgeProgress,
) -> Receipt:
    """Delete locally, verify, destroy the key, write the receipt."""
    recorded = progress.here
    if recorded is None:
        # Recorded before anything here is deleted: if a step after it fails (a full disk), the
        # re-run's receipt still says what this run deleted, not what it finds left.
        recorded = figures(store, session_id, places.session_dir)
        progress = replace(progress, here=recorded)
        purging.save_progress(store, session_id, progress, clock.now())
    stores = delete_local(store, session_id, places.session_dir, recorded)
    verification = scan(
        [places.data_dir, places.session_dir, places.log_file],
        purging.load_needles(store, session_id) or set(),
        progress.short_texts,
    )
    _log.info(
        "session %s: local data deleted; verification %s in %d files",
        session_id,
        "clean" if verification.clean else f"found remains in {len(verification.hits)}",
        verification.files,
    )
    if not verification.clean:
        raise IncompleteError(
            _("Verification found remains of the session in: {join}.").format(
                join=", ".join(verification.hits)
            ),
            _(
                "The session key is kept so nothing is lost; remove the remains, then "
                "run again: sprechstunde purge {session_id}"
            ).format(session_id=session_id),
        )
    progress = replace(progress, verified=True)
    purging.save_progress(store, session_id, progress, clock.now())
    purging.drop_needles(store, session_id)
    store.checkpoint()
    # A key there before the local step and gone now was destroyed by this purge, on this run
    # or on one that failed afterwards.
    destroyed = store.keys.destroy(session_id) or bool(recorded["key"])
    stores.append(StoreResult("session key", True, {"destroyed": destroyed}))
    purging.mark_ended(store, session_id, clock.now())
    receipt = build_receipt(
        store, provider, session_id, progress, stores, verification.summary(), __version__
    )
    purging.save_receipt(store, session_id, receipt, clock.now())
    store.transition(session_id, SessionState.PURGED, clock.now(), "purge", purged_at=clock.now())
    return receipt


def _handoffs(
    store: Store,
    config: Config,
    mailer: Mailer | None,
    session_id: str,
    clock: Clock,
    places: Places,
    export: bool,
    sleep: Callable[[float], None] | None,
) -> list[str]:
    if not handoff.outstanding(store, session_id):
        return []
    report = handoff.deliver_all(
        store,
        config,
        mailer,
        session_id,
        clock.now(),
        export_dir=places.export_dir,
        export=export or mailer is None,
        sleep=sleep or clock.sleep,
    )
    left = handoff.outstanding(store, session_id)
    if left:
        raise IncompleteError(
            (
                _(
                    "{count} hand-off(s) could not be delivered ({reason}); the purge waits for "
                    "them."
                )
                if report.errors
                else _("{count} hand-off(s) could not be delivered; the purge waits for them.")
            ).format(count=left, reason=report.errors[0] if report.errors else ""),
            _(
                "Fix the [mail] settings and run again, or export them: sprechstunde "
                "purge {session_id} --export-handoffs"
            ).format(session_id=session_id),
        )
    return [str(report.export_file)] if report.export_file else []


def _counts(store: Store, session_id: str) -> dict[str, int]:
    counts = purging.content_counts(store, session_id) | counter_counts(store, session_id)
    hand = handoff.counts(store, session_id)
    counts["handoffs_delivered"] = hand.get("delivered", 0)
    counts["handoffs_exported"] = hand.get("exported", 0)
    return counts


__all__ = ["Places", "PurgePlan", "PurgeProgress", "plan", "purge"]
