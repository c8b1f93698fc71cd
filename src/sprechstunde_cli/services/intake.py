"""Take a batch of provider events into the store: greet, refuse calls, turn away late mail.

Order matters for "nothing lost, nothing twice": media is fetched first (outside the write
lock), then one transaction stores messages, queues the automatic texts and advances the
cursor. Only after that commit does the provider see the new cursor.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.arrival import accepting, arrival
from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import (
    Purpose,
    SessionRecord,
)
from sprechstunde_cli.domain.notify import Arrival
from sprechstunde_cli.domain.texts import render
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import (
    DeleteReach,
    InboundCall,
    InboundEdit,
    InboundLeft,
    InboundMessage,
    InboundUnreadable,
    InboundWithdrawal,
    Provider,
    ReceiveBatch,
)
from sprechstunde_cli.services import changes
from sprechstunde_cli.services.changes import Changes
from sprechstunde_cli.services.incoming_media import Fetched, discard, fetch_all
from sprechstunde_cli.services.texts import fill, values
from sprechstunde_cli.store import Connection, Store
from sprechstunde_cli.store.outbox import enqueue

TRUNCATED_MARK = " […]"


@dataclass
class IntakeReport:
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


class _Writer:
    """Stores one batch's events inside the caller's transaction and queues the automatic texts."""

    def __init__(
        self,
        store: Store,
        provider: Provider,
        config: Config,
        session: SessionRecord,
        now: datetime,
        report: IntakeReport,
    ) -> None:
        self.store, self.provider, self.config = store, provider, config
        self.session, self.now, self.report = session, now, report
        # Filled once per batch, not per event: the placeholders look up the next session,
        # which expands the schedules.
        self.text = functools.cache(lambda template: fill(template, session, config))

    def call(self, conn: Connection, event: InboundCall) -> None:
        sid = self.session.id
        if not self.store.record_event(conn, sid, event.provider_id, event.chat):
            return
        if self.provider.capabilities.reject_calls:
            _reject(self.provider, event, self.report)
        self._queue(
            conn,
            None,
            event.chat,
            Purpose.CALL_REFUSAL,
            self.config.texts.call_refusal,
            keys.call_refusal(sid, event.provider_id),
        )
        self.store.bump(conn, sid, Counter.CALLS_REFUSED)
        self.report.calls_refused += 1

    def unreadable(self, conn: Connection, event: InboundUnreadable) -> None:
        sid = self.session.id
        self._queue(
            conn,
            None,
            event.chat,
            Purpose.UNREADABLE,
            self.config.texts.unreadable,
            keys.unreadable(sid, event.chat),
        )

    def change(
        self, conn: Connection, event: InboundWithdrawal | InboundEdit | InboundLeft
    ) -> None:
        sid, found = self.session.id, self.report.changes
        if isinstance(event, InboundWithdrawal):
            changes.withdraw(self.store, conn, sid, event, found)
        elif isinstance(event, InboundEdit):
            body, truncated = self._limited(event.text)
            if truncated:
                self.store.bump(conn, sid, Counter.TEXTS_TRUNCATED)
            changes.edit(self.store, conn, sid, event, body, found)
        else:
            changes.left(self.store, conn, sid, event, found)

    def _limited(self, text: str) -> tuple[str, bool]:
        max_chars = self.config.hour.max_message_chars
        if len(text) > max_chars:
            return text[:max_chars] + TRUNCATED_MARK, True
        return text, False

    def turn_away(self, conn: Connection, event: InboundMessage) -> bool:
        """Outside the hour: one away reply per sender, keep nothing; True: delete at source."""
        sid = self.session.id
        if not self.store.record_event(conn, sid, event.provider_id, event.chat):
            return False
        if self.store.first_away(conn, sid, event.chat):
            self._queue(
                conn,
                None,
                event.chat,
                Purpose.AWAY,
                self.config.texts.away,
                keys.away(sid, event.provider_id),
            )
        self.store.bump(conn, sid, Counter.LATE_MESSAGES)
        self.report.late += 1
        return True

    def message(self, conn: Connection, event: InboundMessage, got: Fetched | None) -> None:
        sid, report = self.session.id, self.report
        body, truncated = self._limited(event.text)
        if truncated:
            self.store.bump(conn, sid, Counter.TEXTS_TRUNCATED)
        if got is not None and got.note:
            body = f"{body}\n{got.note}".strip()
        kind = got.kind if got else event.kind
        inserted = self.store.add_inbound(
            conn,
            sid,
            provider_id=event.provider_id,
            chat=event.chat,
            display_name=event.sender_name,
            at=self.now,
            kind=kind,
            body=body,
            media=got.media if got else None,
        )
        if inserted is None:
            report.duplicates += 1
            if got is not None and got.media is not None and got.media.path:
                Path(got.media.path).unlink(missing_ok=True)
            return
        report.stored += 1
        self.store.bump(conn, sid, Counter.received(kind))
        if inserted.new_thread or inserted.resumed:
            report.arrivals.append(Arrival(inserted.thread, inserted.new_thread, event.text))
        if event.unshowable:
            self.store.bump(conn, sid, Counter.UNSHOWABLE)
        if inserted.new_thread:
            report.new_threads.append(inserted.thread)
            self._queue(
                conn,
                inserted.thread,
                event.chat,
                Purpose.GREETING,
                self.config.texts.greeting,
                keys.greeting(sid, inserted.thread),
            )
        if got is not None and got.too_large:
            self._queue(
                conn,
                inserted.thread,
                event.chat,
                Purpose.MEDIA_TOO_LARGE,
                self.config.texts.media_too_large,
                keys.media_too_large(sid, event.provider_id),
                extra={"max_mb": f"{self.config.hour.max_media_mb:g}"},
            )

    def _queue(
        self,
        conn: Connection,
        thread: int | None,
        chat: str,
        purpose: Purpose,
        template: str,
        key: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        # A text with its own placeholders is filled afresh; the others once per batch.
        body = (
            render(template, {**values(self.session, self.config), **extra})
            if extra
            else self.text(template)
        )
        enqueue(
            self.store,
            conn,
            self.session.id,
            thread=thread,
            chat=chat,
            purpose=purpose,
            body=body,
            key=key,
            now=self.now,
        )


def _reject(provider: Provider, call: InboundCall, report: IntakeReport) -> None:
    try:
        provider.reject_call(call)
    except ProviderError as err:
        report.problems.append(err.message)
