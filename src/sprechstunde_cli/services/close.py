"""End the hour: closing words to every waiting thread, hand-offs out, intake stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import Clock, Purpose, SessionState, require_state
from sprechstunde_cli.domain.texts import render
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services import handoff
from sprechstunde_cli.services.delivery import deliver_all
from sprechstunde_cli.services.delivery_progress import Progress
from sprechstunde_cli.services.texts import fill, values
from sprechstunde_cli.store import Store, purging
from sprechstunde_cli.store.outbox import enqueue


@dataclass(frozen=True)
class CloseReport:
    """What `close` did: closing words sent, hand-offs delivered or exported, what went wrong."""

    closing_sent: int
    undelivered: int
    handoffs_delivered: int = 0
    handoffs_exported: int = 0
    handoffs_failed: int = 0
    export_file: Path | None = None
    problems: tuple[str, ...] = ()
    already_closed: bool = False  # only the outstanding hand-offs were tried again


def closing_text(store: Store, config: Config, session_id: str) -> str:
    session = store.require_session(session_id)
    body = fill(config.texts.closing, session, config)
    if config.handoff.offer:
        offer = render(
            config.texts.closing_handoff_offer,
            {**values(session, config), "office_email": config.handoff.default_mailbox},
        )
        body = f"{body} {offer}"
    return body


def close(
    store: Store,
    provider: Provider,
    config: Config,
    session_id: str,
    clock: Clock,
    *,
    actor: str,
    mailer: Mailer | None = None,
    export_dir: Path | None = None,
    export: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> CloseReport:
    """Send the closing words to every waiting thread and everything else still queued, at
    the messenger's pace, until each is sent or has failed for good; deliver hand-offs; mark
    the session closed. Resumable: a Ctrl-C leaves it `closing`, and `close` goes on."""
    session = store.require_session(session_id)
    now = clock.now()
    if session.state is SessionState.CLOSED and handoff.outstanding(store, session_id):
        # Closed, but some hand-offs failed: close again retries them (or exports them).
        again = _deliver_handoffs(store, config, mailer, session_id, clock, export_dir, export)
        return _report(again, already_closed=True)
    require_state(session_id, session.state, SessionState.OPEN, SessionState.CLOSING)
    if session.state is SessionState.OPEN:
        # From here on `open` stops taking messages: its next step sees the new state.
        store.transition(session_id, SessionState.CLOSING, now, actor)
    body = closing_text(store, config, session_id)
    with store.write() as conn:
        # Waiting: the citizen's last message came after the office's last reply, so a thread
        # answered earlier that wrote again gets the closing words too.
        for thread in store.threads_waiting(session_id):
            enqueue(
                store,
                conn,
                session_id,
                thread=thread.number,
                chat=thread.chat,
                purpose=Purpose.CLOSING,
                body=body,
                key=keys.closing(session_id, thread.number),
                now=now,
            )
    before = store.counters(session_id).get(Counter.SENT_CLOSING, 0)
    delivery = deliver_all(store, provider, session_id, clock, progress=progress)
    sent = store.counters(session_id).get(Counter.SENT_CLOSING, 0) - before
    report = _deliver_handoffs(store, config, mailer, session_id, clock, export_dir, export)
    closed_at = clock.now()
    store.transition(session_id, SessionState.CLOSED, closed_at, actor, closed_at=closed_at)
    return _report(report, sent=sent, undelivered=delivery.failed, problems=delivery.errors)


def _deliver_handoffs(
    store: Store,
    config: Config,
    mailer: Mailer | None,
    session_id: str,
    clock: Clock,
    export_dir: Path | None,
    export: bool,
) -> handoff.HandoffReport:
    report = handoff.deliver_all(
        store,
        config,
        mailer,
        session_id,
        clock.now(),
        export_dir=export_dir or Path.cwd(),
        export=export or mailer is None,
        sleep=clock.sleep,
    )
    if report.export_file is not None:
        purging.note_export(store, session_id, str(report.export_file), clock.now())
    return report


def _report(
    handoffs: handoff.HandoffReport,
    *,
    sent: int = 0,
    undelivered: int = 0,
    problems: tuple[str, ...] = (),
    already_closed: bool = False,
) -> CloseReport:
    return CloseReport(
        closing_sent=sent,
        undelivered=undelivered,
        handoffs_delivered=handoffs.delivered,
        handoffs_exported=handoffs.exported,
        handoffs_failed=handoffs.failed,
        export_file=handoffs.export_file,
        problems=(*problems, *handoffs.errors),
        already_closed=already_closed,
    )
