"""Open the hour and run it: receive, store, greet, last call, deliver. One step at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.leases import Holder, receiver_lease, session_lease
from sprechstunde_cli.domain.model import (
    Clock,
    Purpose,
    SessionRecord,
    SessionState,
    Timer,
)
from sprechstunde_cli.domain.retry import Backoff, Random, uniform
from sprechstunde_cli.domain.rules import last_call_due
from sprechstunde_cli.errors import (
    DiskFullError,
    ProviderError,
    ReadOnlyError,
    StateError,
    StoreError,
)
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.base.events import ReceiveBatch
from sprechstunde_cli.services import leasing
from sprechstunde_cli.services.delivery import DeliveryReport, deliver_all, deliver_due
from sprechstunde_cli.services.delivery_progress import Progress
from sprechstunde_cli.services.intake import IntakeReport, take
from sprechstunde_cli.services.opening import Opened, hold_session, open_session, running_in
from sprechstunde_cli.services.texts import fill
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import standby as receivers
from sprechstunde_cli.store.outbox import enqueue
from sprechstunde_cli.system.clock import SYSTEM_TIMER

# `open_session` and its kin live in services/opening.py; they are named here as well, where
# callers have always found them.
__all__ = ["Hour", "Opened", "StepReport", "hold_session", "open_session", "running_in"]

# A messenger that cannot be reached is asked again after a jittered pause that grows with each
# failure up to a cap: the hour goes on (replies, last call) while it is away.
RECEIVE_BACKOFF = Backoff(base=1.0, cap=30.0)
# A photo or voice note whose download fails for a passing reason is fetched again with the
# next batches, this many times, before its message is stored without the file.
MEDIA_ATTEMPTS = 5
# The store cannot take writes: waiting for a lock would not help, the operator must act. The
# hour goes on and tries again (receiving paused by the same backoff, so a messenger that hands
# the same batch back at once is not asked in a tight loop).
CANNOT_WRITE = (DiskFullError, ReadOnlyError)


@dataclass
class StepReport:
    """What one step of the open hour did: messages taken in, replies sent, and problems."""

    intake: IntakeReport
    delivery: DeliveryReport
    last_call_sent: int = 0
    problems: list[str] = field(default_factory=list)
    # The store could not take this step's writes (a full disk, a read-only store): nothing of
    # the batch was kept and the cursor did not move. Set while it lasts; `store_changed`: it
    # began, changed, or (None again) ended with this step.
    store_problem: StoreError | None = None
    store_changed: bool = False


class Hour:
    """The running hour of one session; `step()` is called in a loop by `open`."""

    def __init__(
        self,
        store: Store,
        provider: Provider,
        config: Config,
        session_id: str,
        media_dir: Path,
        *,
        timer: Timer = SYSTEM_TIMER,
        sleep: Callable[[float], None] | None = None,
        rng: Random = uniform,
        holder: Holder | None = None,
    ) -> None:
        """`sleep` idles while the messenger is paused (default: the timer's); `holder`
        renews the session's lease at every step and gives it up in `release`."""
        self.store = store
        self.provider = provider
        self.config = config
        self.session_id = session_id
        self.media_dir = media_dir
        self._timer = timer
        self._sleep = sleep or timer.sleep
        self._rng = rng
        self.holder = holder
        self._receive_failures = 0
        self._receive_not_before: datetime | None = None
        self._media_failures: dict[str, int] = {}
        self._store_failures = 0
        # Why the store took no writes at the last try (full disk, read-only), until it does.
        self.store_problem: StoreError | None = None

    @property
    def session(self) -> SessionRecord:
        return self.store.require_session(self.session_id)

    def step(self, now: datetime, wait: float) -> StepReport:
        session = self.session
        if session.state is not SessionState.OPEN:
            raise StateError(
                _("Session '{id}' is {value}; the hour is over.").format(
                    id=session.id, value=session.state.value
                ),
                _("See the result: sprechstunde threads --session {id}").format(id=session.id),
            )
        problems: list[str] = []
        other = None
        if self.holder is not None:
            hold_session(self.store, session.id, self.holder, now)
            # One receiver per messenger account: `standby` lets go at its next step.
            other = leasing.try_hold(self.store, receiver_lease(session.provider), self.holder, now)
        started = self._timer.monotonic()
        if other is not None:
            problems.append(
                _("Waiting for {other} to hand the messenger over.").format(other=other.describe())
            )
            idled = min(wait, 1.0)
            self._sleep(idled)  # no receive this step, and no busy loop either
            batch, failed = None, None
        else:
            batch, failed, idled = self._receive(session, now, wait)
        # Receiving may have waited (a long poll, or idling while the messenger is away). What
        # follows counts from when it really happens: a pause the messenger asked for, measured
        # from a stale `now`, would be cut short by up to `wait` seconds.
        now += timedelta(seconds=max(self._timer.monotonic() - started, idled))
        if failed is not None:
            self._receive_failures += 1
            self._pause_receiving(now, failed.retry_after, self._receive_failures)
            problems.append(failed.message)
        report = StepReport(IntakeReport(), DeliveryReport())
        before = self.store_problem
        pages = self.store.page_count() if isinstance(before, DiskFullError) else 0
        try:
            if batch is not None:
                problems += batch.problems  # the messenger's own news, e.g. calls go unseen
                report.intake = self._take(session, batch, now)
                # The batch is stored: there is room again.
                self.store_problem, self._store_failures = None, 0
            report.last_call_sent = self.last_call(session, now)
            report.delivery = deliver_due(self.store, self.provider, session.id, now)
            if self.store_problem is not None and self._writes_again(report, pages):
                # Even while receiving waits for the messenger, the alert goes.
                self.store_problem, self._store_failures = None, 0
        except CANNOT_WRITE as err:
            self._store_failures += 1
            self._pause_receiving(now, 0.0, self._store_failures)
            self.store_problem = err
        report.problems = [*problems, *report.intake.problems, *report.delivery.errors]
        report.store_problem = self.store_problem
        # By kind, not text: the free space it quotes changes from step to step.
        report.store_changed = type(self.store_problem) is not type(before)
        return report

    def release(self, now: datetime) -> None:
        """Give up the session's lease (another `open` may run it at once) and the messenger
        (`standby` goes on from where the hour stopped)."""
        if self.holder is None:
            return
        leasing.release(self.store, session_lease(self.session_id), self.holder)
        session = self.session
        name = receiver_lease(session.provider)
        if leasing.holder_of(self.store, name, now) == self.holder:
            receivers.hand_back(self.store, session.provider, self.store.cursor(session.id), now)
        leasing.release(self.store, name, self.holder)

    def deliver_everything(
        self, clock: Clock, progress: Callable[[Progress], None] | None = None
    ) -> DeliveryReport:
        """`open --once` exits only when every queued text (greetings, refusals, replies) is
        sent or has failed for good, not after one lease of them."""
        return deliver_all(self.store, self.provider, self.session_id, clock, progress=progress)

    def _writes_again(self, report: StepReport, pages_before: int) -> bool:
        """Whether this step proved the store takes writes again, without a batch stored.
        Read-only: any row written (the last call queued, a sent text moved into `messages`);
        a step with nothing due wrote nothing and proves nothing. Full disk: only a write that
        needed new room (the store grew, by us or another process); a small one may fit into
        pages the full disk already held, and the waiting batch would still find no room."""
        if isinstance(self.store_problem, DiskFullError):
            return self.store.page_count() > pages_before
        return report.last_call_sent > 0 or report.delivery.sent > 0

    def _take(self, session: SessionRecord, batch: ReceiveBatch, now: datetime) -> IntakeReport:
        intake = take(
            self.store,
            self.provider,
            self.config,
            session,
            batch,
            now,
            self.media_dir,
            retry_media=self._retry_media,
        )
        if intake.deferred:
            # Receive again (from the same cursor) once the messenger may answer.
            worst = max(self._media_failures.get(i, 0) for i in intake.deferred)
            self._pause_receiving(now, intake.retry_after, worst)
        return intake

    def _receive(
        self, session: SessionRecord, now: datetime, wait: float
    ) -> tuple[ReceiveBatch | None, ProviderError | None, float]:
        """(batch, None, 0), or no batch while the messenger fails or asked us to wait: then
        the cursor stays where it is; also the seconds spent idling instead."""
        if self._receive_not_before is not None and now < self._receive_not_before:
            # Idle as long as a receive would have waited, not in a busy loop.
            idle = min(wait, (self._receive_not_before - now).total_seconds())
            self._sleep(idle)
            return None, None, idle
        try:
            batch = self.provider.receive(self.store.cursor(session.id), wait)
        except ProviderError as err:
            if not err.retryable:
                raise
            return None, err, 0.0
        self._receive_failures = 0
        self._receive_not_before = None
        return batch, None, 0.0

    def _pause_receiving(self, now: datetime, asked: float, failures: int) -> None:
        """No receive before what the messenger asked for, or a jittered, growing backoff."""
        pause = max(asked, RECEIVE_BACKOFF.delay(failures, self._rng))
        self._receive_not_before = now + timedelta(seconds=pause)

    def _retry_media(self, provider_id: str) -> bool:
        failures = self._media_failures[provider_id] = self._media_failures.get(provider_id, 0) + 1
        return failures < MEDIA_ATTEMPTS

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
                    self.store,
                    conn,
                    session.id,
                    thread=thread.number,
                    chat=thread.chat,
                    purpose=Purpose.LAST_CALL,
                    body=body,
                    key=keys.last_call(session.id, thread.number),
                    now=now,
                ):
                    queued += 1
            self.store.set_last_call(conn, session.id, now)
        return queued
