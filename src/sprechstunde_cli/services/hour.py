"""Open the hour and run it: receive, store, greet, last call, deliver. One step at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import (
    Purpose,
    SessionRecord,
    SessionSpec,
    SessionState,
    check_transition,
)
from sprechstunde_cli.domain.rules import in_window, last_call_due
from sprechstunde_cli.domain.texts import german_span
from sprechstunde_cli.errors import StateError
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services.delivery import DeliveryReport, deliver_due
from sprechstunde_cli.services.intake import IntakeReport, take
from sprechstunde_cli.services.texts import fill
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.outbox import enqueue


@dataclass(frozen=True)
class Opened:
    session: SessionRecord
    resumed: bool
    shifted: bool  # opened outside its planned window for a rehearsal (--now)


def open_session(
    store: Store, spec: SessionSpec, now: datetime, *, actor: str, rehearse: bool = False
) -> Opened:
    """Open `spec` (or resume it); outside its window only when rehearsing."""
    record = store.ensure_session(spec)
    if record.state is SessionState.OPEN:
        return Opened(record, resumed=True, shifted=record.effective_end != record.planned_end)
    if record.state not in (SessionState.PLANNED, SessionState.ANNOUNCED):
        check_transition(spec.id, record.state, SessionState.OPEN)  # raises with the next step
    inside = in_window(now, spec.start, spec.end)
    if not inside and not rehearse:
        window = german_span(spec.start, spec.end)
        when = "ended" if now >= spec.end else "has not started"
        raise StateError(
            f"Session '{spec.id}' {when}: it is planned for {window} ({spec.timezone}).",
            "Open it during its hour, or add --now to rehearse it right away.",
        )
    # A rehearsal outside the window keeps the planned length, starting now.
    effective_end = spec.end if inside else now + spec.duration
    opened = store.transition(
        spec.id, SessionState.OPEN, now, actor, opened_at=now, effective_end=effective_end
    )
    return Opened(opened, resumed=False, shifted=not inside)


@dataclass
class StepReport:
    intake: IntakeReport
    delivery: DeliveryReport
    last_call_sent: int = 0
    problems: list[str] = field(default_factory=list)


class Hour:
    """The running hour of one session; `step()` is called in a loop by `open`."""

    def __init__(
        self, store: Store, provider: Provider, config: Config, session_id: str, media_dir: Path
    ) -> None:
        self.store = store
        self.provider = provider
        self.config = config
        self.session_id = session_id
        self.media_dir = media_dir

    @property
    def session(self) -> SessionRecord:
        return self.store.require_session(self.session_id)

    def step(self, now: datetime, wait: float) -> StepReport:
        session = self.session
        if session.state is not SessionState.OPEN:
            raise StateError(
                f"Session '{session.id}' is {session.state.value}; the hour is over.",
                f"See the result: sprechstunde threads --session {session.id}",
            )
        batch = self.provider.receive(self.store.cursor(session.id), wait)
        intake = take(self.store, self.provider, self.config, session, batch, now, self.media_dir)
        sent_last_call = self.last_call(session, now)
        delivery = deliver_due(self.store, self.provider, session.id, now)
        return StepReport(intake, delivery, sent_last_call, [*intake.problems, *delivery.errors])

    def last_call(self, session: SessionRecord, now: datetime) -> int:
        """Queue the last call once, to threads that still wait for an answer."""
        if session.last_call_at is not None:
            return 0
        if not last_call_due(now, session.end, self.config.hour.last_call_minutes):
            return 0
        body = fill(self.config.texts.last_call, session, self.config)
        queued = 0
        waiting = self.store.threads_waiting(session.id)
        with self.store.write() as conn:
            for thread in waiting:
                if enqueue(
                    conn,
                    session.id,
                    thread=thread.number,
                    chat=thread.chat,
                    purpose=Purpose.LAST_CALL,
                    body=body,
                    key=f"{session.id}:last_call:{thread.number}",
                    now=now,
                ):
                    queued += 1
            self.store.set_last_call(conn, session.id, now)
        return queued
