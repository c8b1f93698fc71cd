"""End the hour: closing words to unanswered threads, then delete everything the session held."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Purpose, SessionState, require_state
from sprechstunde_cli.errors import IncompleteError, ProviderError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.services.texts import fill
from sprechstunde_cli.store import Store, outbox
from sprechstunde_cli.store.outbox import enqueue


@dataclass(frozen=True)
class CloseReport:
    closing_sent: int
    undelivered: int


def close(
    store: Store, provider: Provider, config: Config, session_id: str, now: datetime, *, actor: str
) -> CloseReport:
    """Send the closing words and mark the session closed; resumable after a crash."""
    session = store.require_session(session_id)
    require_state(session_id, session.state, SessionState.OPEN, SessionState.CLOSING)
    if session.state is SessionState.OPEN:
        session = store.transition(session_id, SessionState.CLOSING, now, actor)
    body = fill(config.texts.closing, session, config)
    with store.write() as conn:
        for thread in store.unanswered_threads(session_id):
            enqueue(
                conn,
                session_id,
                thread=thread.number,
                chat=thread.chat,
                purpose=Purpose.CLOSING,
                body=body,
                key=f"{session_id}:closing:{thread.number}",
                now=now,
            )
    before = store.counters(session_id).get("sent_closing", 0)
    deliver_due(store, provider, session_id, now)
    sent = store.counters(session_id).get("sent_closing", 0) - before
    left = outbox.counts(store, session_id)
    undelivered = left.get(outbox.PENDING, 0) + left.get(outbox.SENDING, 0)
    store.transition(session_id, SessionState.CLOSED, now, actor, closed_at=now)
    return CloseReport(sent, undelivered)


@dataclass
class PurgeReport:
    requested: int = 0
    confirmed: int = 0
    remaining: int = 0
    failures: list[str] = field(default_factory=list)
    reach: DeleteReach = DeleteReach.NONE


def purge(
    store: Store,
    provider: Provider,
    session_id: str,
    now: datetime,
    *,
    actor: str,
    session_dir: Path,
) -> PurgeReport:
    """Delete at the provider as far as it reaches, then locally; safe to run again."""
    session = store.require_session(session_id)
    require_state(session_id, session.state, SessionState.CLOSED)
    report = PurgeReport(reach=provider.capabilities.delete_reach)
    if report.reach is not DeleteReach.NONE:
        for chat, ids in store.provider_refs(session_id).items():
            try:
                outcome = provider.delete_messages(chat, ids)
                report.requested += outcome.requested
                report.confirmed += outcome.confirmed
                report.failures.extend(outcome.failures)
                report.remaining += len(provider.remaining(chat, ids))
            except ProviderError as err:
                report.requested += len(ids)
                report.failures.append(err.message)
    if report.failures or report.remaining:
        # Keep the local references: they are what a re-run needs to finish the job.
        raise IncompleteError(
            f"The messenger kept {report.remaining} of {report.requested} messages"
            + (f" ({report.failures[0]})" if report.failures else "")
            + ".",
            f"Nothing was deleted locally yet. Run again: sprechstunde purge {session_id}",
        )
    store.delete_session_content(session_id)
    shutil.rmtree(session_dir, ignore_errors=True)
    store.checkpoint()
    store.transition(session_id, SessionState.PURGED, now, actor, purged_at=now)
    return report
