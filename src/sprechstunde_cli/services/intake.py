"""Take a batch of provider events into the store: greet, refuse calls, turn away late mail.

Order matters for "nothing lost, nothing twice": media is fetched first (outside the write
lock), then one transaction stores messages, queues the automatic texts and advances the
cursor. Only after that commit does the provider see the new cursor.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.media import check_limits, sniff
from sprechstunde_cli.domain.model import (
    MediaInfo,
    MessageKind,
    Purpose,
    SessionRecord,
    SessionState,
)
from sprechstunde_cli.domain.rules import in_window
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import (
    DeleteReach,
    InboundCall,
    InboundMessage,
    Provider,
    ReceiveBatch,
)
from sprechstunde_cli.services.texts import fill
from sprechstunde_cli.store import Store
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


@dataclass(frozen=True)
class _Fetched:
    media: MediaInfo | None
    kind: MessageKind
    note: str  # appended to the body when a file was refused
    failed: ProviderError | None = None  # the download's error, if it failed


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
    # After close (or before open) everything is "outside the hour": away reply, nothing kept.
    accepting = (
        session.state is SessionState.OPEN
        and session.opened_at is not None
        and in_window(now, session.opened_at, session.end)
    )
    fetched: dict[str, _Fetched] = {}
    if accepting:
        for event in batch.events:
            if isinstance(event, InboundMessage) and event.media is not None:
                # A batch may carry the same event twice: fetch (and fail) once.
                if event.provider_id in fetched or event.provider_id in report.deferred:
                    continue
                if store.has_message(session.id, event.provider_id):
                    continue
                attempt = _fetch(store, session.id, provider, config, event, media_dir, report)
                err = attempt.failed
                if err is not None and err.retryable and retry_media(event.provider_id):
                    report.deferred.append(event.provider_id)
                    report.retry_after = max(report.retry_after, err.retry_after)
                    continue
                if err is not None:
                    report.media_refused += 1
                    report.problems.append(err.message)
                fetched[event.provider_id] = attempt
    to_delete: list[InboundMessage] = []
    max_chars = config.hour.max_message_chars
    # Filled once per batch, not per event: the placeholders look up the next session, which
    # expands the schedules.
    text = functools.cache(lambda template: fill(template, session, config))
    with store.write() as conn:
        for event in batch.events:
            if isinstance(event, InboundCall):
                if not store.record_event(conn, session.id, event.provider_id, event.chat):
                    continue
                if provider.capabilities.reject_calls:
                    _reject(provider, event, report)
                enqueue(
                    conn,
                    session.id,
                    thread=None,
                    chat=event.chat,
                    purpose=Purpose.CALL_REFUSAL,
                    body=text(config.texts.call_refusal),
                    key=keys.call_refusal(session.id, event.provider_id),
                    now=now,
                )
                store.bump(conn, session.id, Counter.CALLS_REFUSED)
                report.calls_refused += 1
                continue
            if event.provider_id in report.deferred:
                continue  # comes again: the cursor stays before it
            if not accepting:
                # Outside the hour: one away reply per sender, keep nothing, delete at source.
                if not store.record_event(conn, session.id, event.provider_id, event.chat):
                    continue
                if store.first_away(conn, session.id, event.chat):
                    enqueue(
                        conn,
                        session.id,
                        thread=None,
                        chat=event.chat,
                        purpose=Purpose.AWAY,
                        body=text(config.texts.away),
                        key=keys.away(session.id, event.provider_id),
                        now=now,
                    )
                store.bump(conn, session.id, Counter.LATE_MESSAGES)
                report.late += 1
                to_delete.append(event)
                continue
            got = fetched.get(event.provider_id)
            body = event.text
            if len(body) > max_chars:
                body = body[:max_chars] + TRUNCATED_MARK
                store.bump(conn, session.id, Counter.TEXTS_TRUNCATED)
            if got is not None and got.note:
                body = f"{body}\n{got.note}".strip()
            inserted = store.add_inbound(
                conn,
                session.id,
                provider_id=event.provider_id,
                chat=event.chat,
                display_name=event.sender_name,
                at=now,
                kind=got.kind if got else event.kind,
                body=body,
                media=got.media if got else None,
            )
            if inserted is None:
                report.duplicates += 1
                if got is not None and got.media is not None and got.media.path:
                    Path(got.media.path).unlink(missing_ok=True)
                continue
            report.stored += 1
            store.bump(conn, session.id, Counter.received(got.kind if got else event.kind))
            if inserted.new_thread:
                report.new_threads.append(inserted.thread)
                enqueue(
                    conn,
                    session.id,
                    thread=inserted.thread,
                    chat=event.chat,
                    purpose=Purpose.GREETING,
                    body=text(config.texts.greeting),
                    key=keys.greeting(session.id, inserted.thread),
                    now=now,
                )
        if not report.deferred:
            store.set_cursor(conn, session.id, batch.cursor)
    if to_delete and provider.capabilities.delete_reach is not DeleteReach.NONE:
        for message in to_delete:
            try:
                provider.delete_messages(message.chat, [message.provider_id])
            except ProviderError as err:
                # Still listed in seen_events: the purge deletes it later.
                report.problems.append(err.message)
    return report


def _fetch(
    store: Store,
    session_id: str,
    provider: Provider,
    config: Config,
    event: InboundMessage,
    media_dir: Path,
    report: IntakeReport,
) -> _Fetched:
    ref = event.media
    assert ref is not None
    limit = config.hour.max_media_bytes
    if not provider.capabilities.download_media:
        return _Fetched(None, event.kind, "[Datei nicht abrufbar]")
    try:
        data = provider.download_media(ref, limit)
    except ProviderError as err:
        return _Fetched(None, event.kind, "[Datei nicht übernommen]", failed=err)
    found = sniff(data, ref.mime)
    reason = check_limits(found, len(data), limit)
    if reason:
        report.media_refused += 1
        report.problems.append(reason)
        return _Fetched(None, found.kind, "[Datei nicht übernommen]")
    # Our own random name: a citizen's file name never becomes a path.
    path = media_dir / f"{secrets.token_hex(8)}{found.extension}"
    store.write_media(session_id, path, data)
    duration = found.duration if found.duration is not None else ref.duration
    media = MediaInfo(
        mime=found.mime,
        size=len(data),
        width=found.width,
        height=found.height,
        duration=duration,
        path=str(path),
    )
    return _Fetched(media, found.kind, "")


def _reject(provider: Provider, call: InboundCall, report: IntakeReport) -> None:
    try:
        provider.reject_call(call)
    except ProviderError as err:
        report.problems.append(err.message)
