"""Take a batch of provider events into the store: greet, refuse calls, turn away late mail.

Order matters for "nothing lost, nothing twice": media is fetched first (outside the write
lock), then one transaction stores messages, queues the automatic texts and advances the
cursor. Only after that commit does the provider see the new cursor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.arrival import accepting, arrival
from sprechstunde_cli.domain.model import (
    SessionRecord,
)
from sprechstunde_cli.domain.notify import Arrival
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.providers.base.events import (
    InboundCall,
    InboundMessage,
    InboundUnreadable,
    ReceiveBatch,
)
from sprechstunde_cli.services import changes
from sprechstunde_cli.services.changes import Changes
from sprechstunde_cli.services.incoming_media import Fetched, discard, fetch_all
from sprechstunde_cli.services.intake_writer import TRUNCATED_MARK, _Writer
from sprechstunde_cli.store import Store

# Where callers found it before the writer had its own module.
__all__ = ["TRUNCATED_MARK", "IntakeReport", "take"]


@dataclass
class IntakeReport:
    """What taking in one batch did: messages stored, threads begun, calls refused, problems."""

    stored: int = 0
    duplicates: int = 0
    new_threads: list[int] = field(default_factory=list)
    calls_refused: int = 0
    late: int = 0
    media_refused: int = 0
    problems: list[str] = field(default_factory=list)
    # Messages left for the next batch because their file could not be fetched this time; the
    # cursor stays before them. `retry_after`: what the messenger asked for, if anything.
    deferred: list[str] = field(default_factory=list)
    retry_after: float = 0.0
    # New threads and citizens who wrote again after an answer, for `open`'s notifications.
    arrivals: list[Arrival] = field(default_factory=list)
    # What citizens did to what they had sent: withdrawn, edited, and who left.
    changes: Changes = field(default_factory=Changes)


def take(
    store: Store,
    provider: Provider,
    config: Config,
    session: SessionRecord,
    batch: ReceiveBatch,
    now: datetime,
    media_dir: Path,
    *,
    retry_media: Callable[[str], bool] = lambda _id: False,
) -> IntakeReport:
    """Store a batch; `retry_media(provider_id)` says whether a file that failed to download
    for a passing reason (retryable) is worth another batch, instead of storing the message
    without it. The caller keeps count, so the retries are bounded."""
    report = IntakeReport()
    # After close (or before open) everything is "outside the hour": away reply, nothing kept;
    # so is what waited at the messenger from before the opening (domain/arrival.py).
    early = timedelta(minutes=config.hour.early_minutes)
    taken = {
        e.provider_id
        for e in batch.events
        if isinstance(e, InboundMessage) and arrival(session, e.sent_at, now, early).taken
    }
    fetched: dict[str, Fetched] = {}
    writer = _Writer(store, provider, config, session, now, report)
    to_delete: list[InboundMessage] = []
    try:
        if taken:
            welcome = tuple(
                e for e in batch.events if isinstance(e, InboundMessage) and e.provider_id in taken
            )
            fetch_all(
                store,
                provider,
                config,
                session,
                dataclasses.replace(batch, events=welcome),
                media_dir,
                report,
                retry_media,
                fetched,
            )
        with store.write() as conn:
            for event in batch.events:
                if isinstance(event, InboundCall):
                    writer.call(conn, event)
                elif isinstance(event, InboundUnreadable):
                    if accepting(session, now):  # after the hour nobody would read it again
                        writer.unreadable(conn, event)
                elif not isinstance(event, InboundMessage):
                    # Whether or not the hour is on: a citizen's own deletion always wins.
                    writer.change(conn, event)
                elif event.provider_id in report.deferred:
                    continue  # comes again: the cursor stays before it
                elif event.provider_id not in taken:
                    if writer.turn_away(conn, event):
                        to_delete.append(event)
                else:
                    writer.message(conn, event, fetched.get(event.provider_id))
            changes.requote(store, conn, session.id, report.changes)
            if not report.deferred:
                store.set_cursor(conn, session.id, batch.cursor)
    except BaseException:
        # A file that found no room, or the transaction rolled back whole (a full disk, say): no
        # message, no queued text, the cursor where it was. The files fetched for the batch
        # would be orphans; the next try fetches them again.
        discard(store, session.id, fetched)
        raise
    finally:
        # A withdrawn file goes even if the batch did not commit: the withdrawal comes again.
        changes.remove_files(report.changes)
    if report.changes.withdrawn or report.changes.edited:
        # The old page images (sealed, but the key still lives) leave the WAL now, not at the
        # next checkpoint; a busy reader only delays it to the purge's own.
        store.fold_wal()
    if to_delete and provider.capabilities.delete_reach is not DeleteReach.NONE:
        for message in to_delete:
            try:
                provider.delete_messages(message.chat, [message.provider_id])
            except ProviderError as err:
                # Still listed in seen_events: the purge deletes it later.
                report.problems.append(err.message)
    return report
