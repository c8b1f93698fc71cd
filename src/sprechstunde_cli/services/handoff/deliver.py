"""Deliver every outstanding hand-off: one e-mail each to the department, or one export file.

Every hand-off ends in one of three states, never silently: delivered, exported (the operator
takes the file), or failed with the reason (retried by the next run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.handoffs import OUTSTANDING, Handoff
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.retry import Backoff, Random, uniform
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.services.handoff import text as handoff_text
from sprechstunde_cli.store import Store, handoffs

BACKOFF = Backoff(base=1.0, cap=60.0)


def pending(store: Store, session_id: str) -> list[Handoff]:
    """Hand-offs not yet delivered or exported (pending or failed), by thread."""
    return handoffs.of_session(store, session_id, *OUTSTANDING)


class Sender(Protocol):
    """What deliver_all needs of `adapters.smtp.Mailer`: one message per call, ProviderError on
    failure."""

    def send(
        self,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        message_id: str | None = None,
        reply_to: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class HandoffReport:
    """What delivering hand-offs did: how many were mailed, exported or failed, and why."""

    delivered: int = 0
    exported: int = 0
    failed: int = 0
    export_file: Path | None = None
    errors: tuple[str, ...] = ()  # "Thread 3 → Wohngeldamt: reason"; no addresses or content


def deliver_all(
    store: Store,
    config: Config,
    mailer: Sender | None,
    session_id: str,
    now: datetime,
    *,
    export_dir: Path,
    export: bool = False,
    attempts: int = 3,
    sleep: Callable[[float], None],
    rng: Random = uniform,
) -> HandoffReport:
    """Mail every outstanding hand-off, or export them all to one file; safe to run again."""
    session = store.require_session(session_id)
    todo = pending(store, session_id)
    if not todo:
        return HandoffReport()
    if mailer is None or export:
        text = handoff_text.export_text(session, config, todo, now)
        path = handoff_text.write_export(
            export_dir, handoff_text.export_name(session, now), text.encode()
        )
        # Marked only once the file is on disk: a crash in between exports them twice, not never.
        handoffs.exported(store, [h.id for h in todo], now)
        return HandoffReport(exported=len(todo), export_file=path)
    delivered = failed = 0
    errors: list[str] = []
    for h in todo:
        reason = _mail_one(store, config, mailer, session, h, now, attempts, sleep, rng)
        if reason is None:
            delivered += 1
        else:
            failed += 1
            errors.append(
                _("Thread {thread} → {department}: {reason}").format(
                    thread=h.thread, department=h.department, reason=reason
                )
            )
    return HandoffReport(delivered=delivered, failed=failed, errors=tuple(errors))


def _mail_one(
    store: Store,
    config: Config,
    mailer: Sender,
    session: SessionRecord,
    h: Handoff,
    now: datetime,
    attempts: int,
    sleep: Callable[[float], None],
    rng: Random,
) -> str | None:
    """Send one hand-off with bounded retries; return the reason it failed, or None."""
    mailbox = config.handoff.mailbox(h.department)
    if mailbox is None:
        reason = _("no mailbox for this department ([handoff] departments or default_mailbox)")
        handoffs.failed(store, h.id, reason)
        return reason
    subject = handoff_text.subject(session, h)
    body = handoff_text.body(session, h)
    message_id = handoff_text.message_id(session, h, config)
    for attempt in range(1, max(1, attempts) + 1):
        handoffs.tried(store, h.id)
        try:
            mailer.send([mailbox], subject, body, message_id=message_id, reply_to=h.email)
        except ValueError:
            # A header that cannot be written (recorded before names and addresses were checked
            # when typed): this one fails with its reason, the close goes on, the export works.
            reason = _(
                "a header of this hand-off cannot be sent (department or address); export it"
            )
            handoffs.failed(store, h.id, reason)
            return reason
        except ProviderError as err:
            if err.retryable and attempt < attempts:
                sleep(max(err.retry_after, BACKOFF.delay(attempt, rng)))
                continue
            handoffs.failed(store, h.id, err.message)
            return err.message
        handoffs.delivered(store, h.id, now)
        return None
    raise AssertionError("unreachable: the loop returns on its last attempt")
