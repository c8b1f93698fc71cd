"""Delete a closed session everywhere, prove it, and write the deletion receipt.

Order (DESIGN §5): hand-offs out → late messages turned away → delete at the provider and
list again → delete locally (rows, media, temp files, WAL) → verify → destroy the key →
receipt. Every step is safe to repeat, so a purge killed at any point completes on a re-run.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sprechstunde_cli import __version__
from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Clock, SessionState, require_state
from sprechstunde_cli.errors import IncompleteError, ProviderError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.services import handoff, ratelimit
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.services.intake import take
from sprechstunde_cli.services.purge.verify import Verification, needles_from, scan
from sprechstunde_cli.services.receipt import build_receipt
from sprechstunde_cli.store import Store, purging
from sprechstunde_cli.system import logs

_log = logs.get("purge")

DRAIN_ROUNDS = 20  # bounded: a flood of late messages must not keep the purge from finishing


@dataclass(frozen=True)
class Places:
    """Where a session's data can be on this machine."""

    data_dir: Path
    session_dir: Path
    log_file: Path
    export_dir: Path


@dataclass
class ProviderResult:
    provider: str
    reach: DeleteReach
    requested: int = 0
    confirmed: int = 0
    remaining: int = 0
    chats_removed: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped or (not self.failures and self.remaining == 0)


@dataclass(frozen=True)
class PurgePlan:
    session_id: str
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
) -> dict[str, Any]:
    """Run (or finish) the purge; return the receipt. Raises IncompleteError on any gap."""
    session = store.require_session(session_id)
    if session.state is SessionState.PURGED:
        existing = purging.receipt(store, session_id)
        if existing is not None:
            return existing
    require_state(session_id, session.state, SessionState.CLOSED)
    for path in _handoffs(store, config, mailer, session_id, clock, places, export_handoffs, sleep):
        purging.note_export(store, session_id, path, clock.now())
    purging.mark_started(store, session_id, clock.now())
    draft = purging.receipt(store, session_id) or {}
    # Counted and searched-for before anything is deleted; both are saved to survive a crash.
    if "counts" not in draft:
        draft["counts"] = _counts(store, session_id)
        purging.save_receipt(store, session_id, draft, clock.now())
    if not draft.get("verified") and purging.load_needles(store, session_id) is None:
        needles, skipped = _needles(store, session_id)
        purging.save_needles(store, session_id, needles)
        draft["short_texts"] = skipped
        purging.save_receipt(store, session_id, draft, clock.now())
    _drain_late(store, provider, config, session_id, clock, places.session_dir)
    result = _delete_remote(store, provider, session_id, skip_provider, clock)
    _log.info(
        "session %s: provider %s deleted %d of %d, %d remaining, %d failure(s)%s",
        session_id,
        result.provider,
        result.confirmed,
        result.requested,
        result.remaining,
        len(result.failures),
        " (skipped by operator)" if result.skipped else "",
    )
    if not result.ok:
        raise IncompleteError(
            f"The messenger still holds {result.remaining} of {result.requested} messages"
            + (f" ({result.failures[0]})" if result.failures else "")
            + ".",
            f"Nothing was deleted locally yet. Run again: sprechstunde purge {session_id} "
            "(or add --skip-provider to delete only here, recorded in the receipt)",
        )
    draft["providers"] = [_provider_json(result)]
    purging.save_receipt(store, session_id, draft, clock.now())
    stores = _delete_local(store, session_id, places)
    needles = purging.load_needles(store, session_id) or set()
    verification = scan(
        [places.data_dir, places.session_dir, places.log_file],
        needles,
        int(draft.get("short_texts", 0)),
    )
    _log.info(
        "session %s: local data deleted; verification %s in %d files",
        session_id,
        "clean" if verification.clean else f"found remains in {len(verification.hits)}",
        verification.files,
    )
    if not verification.clean:
        raise IncompleteError(
            f"Verification found remains of the session in: {', '.join(verification.hits)}.",
            "The session key is kept so nothing is lost; remove the remains, then run "
            f"again: sprechstunde purge {session_id}",
        )
    draft["verified"] = True
    purging.save_receipt(store, session_id, draft, clock.now())
    purging.drop_needles(store, session_id)
    store.checkpoint()
    stores.append({"store": "session key", "destroyed": store.keys.destroy(session_id), "ok": True})
    purging.mark_ended(store, session_id, clock.now())
    body = build_receipt(
        store, provider, session_id, draft, stores, _verification(verification), __version__
    )
    purging.save_receipt(store, session_id, body, clock.now())
    store.transition(session_id, SessionState.PURGED, clock.now(), "purge", purged_at=clock.now())
    return body


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
            f"{left} hand-off(s) could not be delivered"
            + (f" ({report.errors[0]})" if report.errors else "")
            + "; the purge waits for them.",
            "Fix the [mail] settings and run again, or export them: sprechstunde purge "
            f"{session_id} --export-handoffs",
        )
    return [str(report.export_file)] if report.export_file else []


def _counts(store: Store, session_id: str) -> dict[str, int]:
    counts = purging.content_counts(store, session_id)
    counters = store.counters(session_id)
    hand = handoff.counts(store, session_id)
    counts["late_messages_dropped"] = counters.get("late_messages", 0)
    counts["calls_refused"] = counters.get("calls_refused", 0)
    counts["handoffs_delivered"] = hand.get("delivered", 0)
    counts["handoffs_exported"] = hand.get("exported", 0)
    return counts


def _needles(store: Store, session_id: str) -> tuple[set[bytes], int]:
    """Every body and caption the session held, and a slice of every photo and voice note."""
    messages = store.messages(session_id)
    texts = [m.body for m in messages]
    blobs: list[bytes] = []
    names: list[str] = []
    for m in messages:
        if m.media is not None and m.media.path:
            path = Path(m.media.path)
            names.append(path.name)
            try:
                blobs.append(store.read_media(session_id, path))
            except OSError:
                continue  # already gone: nothing to search for
    return needles_from([*texts, *names], blobs)


def _drain_late(
    store: Store,
    provider: Provider,
    config: Config,
    session_id: str,
    clock: Clock,
    session_dir: Path,
) -> None:
    """Messages that came after the close: away reply once per sender, deleted, counted."""
    pacer = ratelimit.Pacer(
        provider.capabilities.max_requests_per_second, lambda: clock.now().timestamp(), clock.sleep
    )
    call = ratelimit.Caller(pacer, clock.sleep)  # a passing failure does not fail the purge
    for _ in range(DRAIN_ROUNDS):
        session = store.require_session(session_id)
        cursor = store.cursor(session_id)
        batch = call(lambda: provider.receive(cursor, 0.0))  # noqa: B023 - called at once
        take(store, provider, config, session, batch, clock.now(), session_dir / "media")
        deliver_due(store, provider, session_id, clock.now())
        if not batch.events:
            return


def _delete_remote(
    store: Store,
    provider: Provider,
    session_id: str,
    skip: bool,
    clock: Clock,
    rng: Callable[[], float] = random.random,
) -> ProviderResult:
    caps = provider.capabilities
    result = ProviderResult(provider.name, caps.delete_reach, skipped=skip)
    if skip:
        return result
    refs = store.provider_refs(session_id)  # the store stays on this thread
    pacer = ratelimit.Pacer(
        caps.max_requests_per_second, lambda: clock.now().timestamp(), clock.sleep
    )
    call = ratelimit.Caller(pacer, clock.sleep, rng=rng)
    tasks = [partial(_delete_chat, provider, chat, ids, call) for chat, ids in refs.items()]
    # Chats are independent: as many in flight as the provider allows, paced to its limit.
    for outcome in ratelimit.run_all(tasks, caps.max_concurrent_requests):
        result.requested += outcome.requested
        result.confirmed += outcome.confirmed
        result.remaining += outcome.remaining
        result.chats_removed += outcome.chats_removed
        result.failures.extend(outcome.failures)
    return result


@dataclass
class _ChatOutcome:
    requested: int = 0
    confirmed: int = 0
    remaining: int = 0
    chats_removed: int = 0
    failures: list[str] = field(default_factory=list)


def _delete_chat(
    provider: Provider, chat: str, ids: list[str], call: ratelimit.Caller
) -> _ChatOutcome:
    """Delete one chat's messages, remove the chat, list again; runs on a worker thread."""
    caps = provider.capabilities
    out = _ChatOutcome()
    try:
        if caps.delete_reach is not DeleteReach.NONE:
            outcome = call(lambda: provider.delete_messages(chat, ids))
            out.requested += outcome.requested
            out.confirmed += outcome.confirmed
            out.failures.extend(outcome.failures)
        if caps.delete_chat:
            call(lambda: provider.delete_chat(chat))
            out.chats_removed += 1
        if caps.delete_reach is not DeleteReach.NONE:
            out.remaining += len(call(lambda: provider.remaining(chat, ids)))
    except ProviderError as err:
        out.failures.append(err.message)
    return out


def _delete_local(store: Store, session_id: str, places: Places) -> list[dict[str, Any]]:
    media = [Path(p) for p in store.media_paths(session_id)]
    media_bytes = sum(p.stat().st_size for p in media if p.exists())
    temp = places.session_dir / "tmp"
    temp_files = sum(1 for p in temp.rglob("*") if p.is_file()) if temp.exists() else 0
    store.delete_session_content(session_id)
    shutil.rmtree(places.session_dir, ignore_errors=True)
    store.checkpoint()  # raises on a busy checkpoint: a failure, not a success
    return [
        {
            "store": "local database",
            "rows": "deleted",
            "wal": "checkpointed (truncate)",
            "ok": True,
        },
        {
            "store": "media folder",
            "files": len(media),
            "bytes": media_bytes,
            "ok": not places.session_dir.exists(),
        },
        {"store": "temporary files", "files": temp_files, "ok": not temp.exists()},
    ]


def _provider_json(result: ProviderResult) -> dict[str, Any]:
    return {
        "provider": result.provider,
        "reach": result.reach.value,
        "requested": result.requested,
        "confirmed": result.confirmed,
        "remaining": result.remaining,
        "chats_removed": result.chats_removed,
        "failed": result.failures,
        "skipped_by_operator": result.skipped,
        "ok": result.ok,
    }


def _verification(v: Verification) -> dict[str, Any]:
    return {
        "result": "clean" if v.clean else "remains found",
        "searched_for": v.needles,
        "short_texts_not_searched": v.skipped_short,
        "files_scanned": v.files,
        "bytes_scanned": v.bytes,
        "places": ["data dir", "session temp space", "log"],
    }
