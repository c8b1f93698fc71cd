"""The deletion receipt (Löschprotokoll) and the statistics: numbers only, no personal data.

Never in here: phone numbers, names, message ids, content, or hashes of any of them.
"""

from __future__ import annotations

import statistics
from typing import Any

from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.store import Store, purging

RECEIPT_VERSION = 1


def build_receipt(
    store: Store,
    provider: Provider,
    session_id: str,
    draft: dict[str, Any],
    stores: list[dict[str, Any]],
    verification: dict[str, Any],
    version: str,
) -> dict[str, Any]:
    session = store.require_session(session_id)
    started, ended = purging.times(store, session_id)
    return {
        "receipt_version": RECEIPT_VERSION,
        "tool": f"sprechstunde {version}",
        "session": session.id,
        "title": session.title,
        "provider": session.provider,
        "planned": {
            "start": session.planned_start.isoformat(),
            "end": session.planned_end.isoformat(),
        },
        "actual": {
            "opened": _iso(session.opened_at),
            "end": session.end.isoformat(),
            "closed": _iso(session.closed_at),
        },
        "purge": {"started": started, "ended": ended},
        "counts": draft.get("counts", {}),
        "stores": stores,
        "providers": draft.get("providers", []),
        "verification": verification,
        "residual_retention": list(provider.capabilities.residual_retention),
        "handoff_exports": draft.get("handoff_exports", []),
    }


def statistics_for(store: Store, session_id: str) -> dict[str, Any]:
    """Figures for the next press release; available before and after the purge."""
    session = store.require_session(session_id)
    receipt = purging.receipt(store, session_id)
    if receipt is not None and "counts" in receipt:
        counts = dict(receipt["counts"])
    else:
        from sprechstunde_cli.services import handoff

        counts = purging.content_counts(store, session_id)
        hand = handoff.counts(store, session_id)
        counts["handoffs_delivered"] = hand.get("delivered", 0)
        counts["handoffs_exported"] = hand.get("exported", 0)
    counters = store.counters(session_id)
    waits = purging.wait_seconds(store, session_id)
    return {
        "session": session.id,
        "state": session.state.value,
        "threads": counts.get("threads", 0),
        "answered_live": counts.get("answered_threads", 0),
        "handed_off": counts.get("handoffs_delivered", 0) + counts.get("handoffs_exported", 0),
        "late_messages": counters.get("late_messages", 0),
        "calls_refused": counters.get("calls_refused", 0),
        "messages_in": counts.get("messages_in", 0),
        "photos": counts.get("photos", 0),
        "voice_notes": counts.get("voice_notes", 0),
        "median_wait_seconds": round(statistics.median(waits), 1) if waits else None,
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None
