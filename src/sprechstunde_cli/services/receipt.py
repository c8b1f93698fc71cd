"""The deletion receipt (Löschprotokoll) and the statistics: numbers only, no personal data.

Never in here: phone numbers, names, message ids, content, or hashes of any of them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.receipt import (
    PurgeProgress,
    Receipt,
    Statistics,
    StoreResult,
    Verification,
)
from sprechstunde_cli.errors import NotFoundError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services import handoff
from sprechstunde_cli.store import Store, purging, topics


def build_receipt(
    store: Store,
    provider: Provider,
    session_id: str,
    progress: PurgeProgress,
    stores: Sequence[StoreResult],
    verification: Verification,
    version: str,
) -> Receipt:
    session = store.require_session(session_id)
    started, ended = purging.times(store, session_id)
    return Receipt(
        session=session.id,
        title=session.title,
        provider=session.provider,
        timezone=session.timezone,
        tool=f"sprechstunde {version}",
        planned_start=session.planned_start.isoformat(),
        planned_end=session.planned_end.isoformat(),
        opened=_iso(session.opened_at),
        end=session.end.isoformat(),
        closed=_iso(session.closed_at),
        purge_started=started,
        purge_ended=ended,
        # The counters as they stand now, after the late messages were drained: what `stats`
        # reads, so the two never disagree.
        counts={**(progress.counts or {}), **counter_counts(store, session_id)},
        stores=tuple(stores),
        providers=progress.providers,
        verification=verification,
        residual_retention=provider.capabilities.residual_retention,
        handoff_exports=progress.handoff_exports,
    )


def receipt_of(store: Store, session_id: str) -> Receipt:
    """The receipt of a purged session; NotFoundError naming the purge until there is one."""
    session = store.require_session(session_id)
    found = purging.load_receipt(store, session_id)
    if found is None:
        raise NotFoundError(
            _("Session '{session_id}' has no deletion receipt yet.").format(session_id=session_id),
            _("Purge it first: sprechstunde purge {session_id}").format(session_id=session_id),
        )
    return found if found.timezone else replace(found, timezone=session.timezone)


def counter_counts(store: Store, session_id: str) -> dict[str, int]:
    """The receipt's counts that come from counters (they outlive the purge)."""
    counters = store.counters(session_id)
    return {
        "late_messages_dropped": counters.get(Counter.LATE_MESSAGES, 0),
        "calls_refused": counters.get(Counter.CALLS_REFUSED, 0),
        "withdrawn_by_citizens": counters.get(Counter.WITHDRAWN, 0),
        "unshowable_received": counters.get(Counter.UNSHOWABLE, 0),
    }


def statistics_for(store: Store, session_id: str) -> Statistics:
    session = store.require_session(session_id)
    receipt = purging.load_receipt(store, session_id)
    counts = (
        receipt.counts if receipt is not None else purging.load_progress(store, session_id).counts
    )
    if counts is None:
        current = purging.content_counts(store, session_id)
        hand = handoff.counts(store, session_id)
        current["handoffs_delivered"] = hand.get("delivered", 0)
        current["handoffs_exported"] = hand.get("exported", 0)
        counts = current
    counters = store.counters(session_id)
    waits = purging.wait_seconds(store, session_id)
    return Statistics(
        session=session.id,
        state=session.state,
        threads=counts.get("threads", 0),
        answered_live=counts.get("answered_threads", 0),
        handed_off=counts.get("handoffs_delivered", 0) + counts.get("handoffs_exported", 0),
        late_messages=counters.get(Counter.LATE_MESSAGES, 0),
        calls_refused=counters.get(Counter.CALLS_REFUSED, 0),
        messages_in=counts.get("messages_in", 0),
        photos=counts.get("photos", 0),
        voice_notes=counts.get("voice_notes", 0),
        median_wait_seconds=round(statistics.median(waits), 1) if waits else None,
        topics=topics.counts(store, session_id),
        withdrawn=counters.get(Counter.WITHDRAWN, 0),
        edited=counters.get(Counter.EDITED, 0),
        unshowable=counters.get(Counter.UNSHOWABLE, 0),
        between_hours=counters.get(Counter.BETWEEN_HOURS, 0),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
