"""The writing half of intake (`services/intake.py` `take`): one batch's events stored inside
the caller's transaction, and the automatic texts they call for queued."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import Purpose, SessionRecord
from sprechstunde_cli.domain.notify import Arrival
from sprechstunde_cli.domain.texts import render
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.base.events import (
    InboundCall,
    InboundEdit,
    InboundLeft,
    InboundMessage,
    InboundUnreadable,
    InboundWithdrawal,
)
from sprechstunde_cli.services import changes
from sprechstunde_cli.services.incoming_media import Fetched
from sprechstunde_cli.services.texts import fill, values
from sprechstunde_cli.store import Connection, Store
from sprechstunde_cli.store.outbox import enqueue

if TYPE_CHECKING:
    from sprechstunde_cli.services.intake import IntakeReport

TRUNCATED_MARK = " […]"


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
            body = self._limited(conn, event.text)
            changes.edit(self.store, conn, sid, event, body, found)
        else:
            changes.left(self.store, conn, sid, event, found)

    def _limited(self, conn: Connection, text: str) -> str:
        """`text` cut to `hour.max_message_chars` (marked), each cut counted."""
        max_chars = self.config.hour.max_message_chars
        if len(text) <= max_chars:
            return text
        self.store.bump(conn, self.session.id, Counter.TEXTS_TRUNCATED)
        return text[:max_chars] + TRUNCATED_MARK

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
        body = self._limited(conn, event.text)
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
