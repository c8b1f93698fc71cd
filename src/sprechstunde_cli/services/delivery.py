"""Send what the outbox holds: bounded retries, jittered backoff, Retry-After honoured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import Clock, MessageKind
from sprechstunde_cli.domain.retry import Backoff, Random, uniform
from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store, outbox
from sprechstunde_cli.system import logs

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo
    from sprechstunde_cli.providers.base import Provider, Sent
    from sprechstunde_cli.services.delivery_progress import Progress

_log = logs.get("delivery")

MAX_ATTEMPTS = 8
LEASE_SECONDS = 60.0
BACKOFF = Backoff(base=1.0, cap=300.0)
# A refused credential is mended by a login (or by the server's admin), not by trying again:
# the session's sending waits this long and no row spends an attempt meanwhile.
AUTH_PAUSE_SECONDS = 30.0
IDLE_SECONDS = 1.0


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass over the outbox did: messages sent, left for a retry, or given up."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: tuple[str, ...] = ()
    # The messenger refused our credential: sending waits for a login (see AUTH_PAUSE_SECONDS).
    refused: ProviderError | None = None


def deliver_due(
    store: Store,
    provider: Provider,
    session_id: str,
    now: datetime,
    *,
    only_id: int | None = None,
    rng: Random = uniform,
) -> DeliveryReport:
    sent = retrying = failed = 0
    errors: list[str] = []
    refused: ProviderError | None = None
    paused = outbox.paused_until(store, session_id)
    if paused is not None and now < paused:
        return DeliveryReport()  # the messenger asked for quiet; rows stay queued
    items = outbox.lease(store, session_id, now, LEASE_SECONDS, only_id=only_id)
    for index, item in enumerate(items):
        try:
            result, media = _send(store, provider, item)
        except ProviderError as err:
            errors.append(err.message)
            _log.warning(
                "session %s: outbox %d attempt %d failed: %s",
                session_id,
                item.id,
                item.attempts,
                err.message,
            )
            if err.retryable and err.exit_code is ExitCode.AUTH:
                refused = err
                retrying += _pause(
                    store, session_id, items[index:], now, AUTH_PAUSE_SECONDS, err.message
                )
                break
            if not err.retryable or item.attempts >= MAX_ATTEMPTS:
                outbox.give_up(store, item, err.message)
                failed += 1
                continue
            delay = max(err.retry_after, BACKOFF.delay(item.attempts, rng))
            outbox.retry_later(store, item, err.message, now + timedelta(seconds=delay))
            retrying += 1
            if err.retry_after > 0:
                # The server asked us to slow down: hand the rest back untouched.
                rest = items[index + 1 :]
                retrying += _pause(store, session_id, rest, now, err.retry_after, _("rate limited"))
                break
            continue
        except OSError as exc:
            outbox.give_up(
                store, item, _("attachment unreadable: {strerror}").format(strerror=exc.strerror)
            )
            failed += 1
            errors.append(_("attachment unreadable: {strerror}").format(strerror=exc.strerror))
            continue
        outbox.complete(store, item, result.provider_id, now, media)
        sent += 1
    return DeliveryReport(sent, retrying, failed, tuple(errors), refused)


def deliver_all(
    store: Store,
    provider: Provider,
    session_id: str,
    clock: Clock,
    *,
    progress: Callable[[Progress], None] | None = None,
    rng: Random = uniform,
) -> DeliveryReport:
    """Send every queued row until each is sent or has failed for good, however many there
    are: lease after lease, at the messenger's pace (a Retry-After pauses, a failure waits
    out its backoff). What `close` and `open --once` must finish before they move on."""
    # Here, not at the top: only `close` and `open` deliver everything; `reply` sends one row.
    from sprechstunde_cli.services.delivery_progress import Progress

    sent = failed = 0
    errors: list[str] = []
    while True:
        report = deliver_due(store, provider, session_id, clock.now(), rng=rng)
        if report.refused is not None:
            # Only a login mends it: waiting here would never end. The rows stay queued, and
            # running the command again after `login` goes on where this stopped.
            raise report.refused
        sent, failed = sent + report.sent, failed + report.failed
        errors += report.errors
        left = outbox.unfinished(store, session_id)
        due = outbox.next_due(store, session_id) if left else None
        wait = max(0.0, (due - clock.now()).total_seconds()) if due is not None else 0.0
        if progress is not None and sent + failed + left:  # nothing queued: nothing to show
            progress(Progress(sent + failed, sent + failed + left, wait))
        if not left:
            break
        idle = report.sent + report.retrying + report.failed == 0
        # Nothing leased although something looked due (another process took it meanwhile):
        # look again shortly instead of spinning.
        if wait > 0 or idle:
            clock.sleep(wait if wait > 0 else IDLE_SECONDS)
    # A 429 or a blip that a later attempt got past is no news; the reasons behind rows that
    # failed for good are, once each.
    kept = tuple(dict.fromkeys(errors)) if failed else ()
    return DeliveryReport(sent, 0, failed, kept)


def _send(
    store: Store, provider: Provider, item: outbox.OutboxItem
) -> tuple[Sent, MediaInfo | None]:
    """One attempt at one outbox row; an attachment is decrypted only for the send."""
    if not item.media_path:
        return provider.send_text(item.chat, item.body, item.key), None
    # Here, not at the top: a text reply never loads the media rules.
    from sprechstunde_cli.domain.messages import MediaInfo
    from sprechstunde_cli.providers.base.media import OutboundMedia

    path = Path(item.media_path)
    data = store.read_media(item.session_id, path)
    kind = item.media_kind or MessageKind.FILE
    mime = item.media_mime or "application/octet-stream"
    media = OutboundMedia(kind, mime, data, filename=item.media_name)
    result = provider.send_media(item.chat, media, item.body, item.key)
    return result, MediaInfo(mime=mime, size=len(data), path=str(path), name=item.media_name)


def _pause(
    store: Store,
    session_id: str,
    rest: list[outbox.OutboxItem],
    now: datetime,
    seconds: float,
    reason: str,
) -> int:
    """Nobody in this session sends for `seconds`; the rows go back without spending one of
    their attempts (a 429 storm must not make them give up). Returns how many."""
    until = now + timedelta(seconds=seconds)
    outbox.pause_sending(store, session_id, until)
    for item in rest:
        outbox.hand_back(store, item, reason, until)
    return len(rest)
