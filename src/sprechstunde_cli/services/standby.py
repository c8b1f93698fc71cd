"""`standby`: the messenger between hours (issue 13).

Citizens write on any day. Between sessions `standby` answers each sender once per gap with the
away text naming the next session, deletes their message at the messenger right away (as far
as the provider reaches) and keeps nothing but a count. It holds the account's receiver lease,
so `open` and `standby` never receive at once: it lets go when a session of its messenger is
due or open and takes over again once the session is closed.

Order for "answered once, deleted, nothing kept": one transaction takes a batch in (who gets a
reply, what to delete, the count, the cursor); only then are the replies sent, each marked,
and the messages deleted, each dropped from `standby_pending`. A `standby` killed anywhere in
between resumes from that table: a marked reply is not sent again, and a reply that was sent but
not yet marked goes out again under the same key, which a messenger with idempotent sends drops.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.leases import Holder, receiver_lease
from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.domain.rules import in_window
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ProviderError, StoreError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.providers.base.events import InboundCall, InboundMessage
from sprechstunde_cli.services import leasing
from sprechstunde_cli.services.sessions import still_to_come
from sprechstunde_cli.services.texts import between_hours
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import standby as ledger

# Replies go out no faster than one per this many seconds: WhatsApp bans accounts that send in
# bursts, and between hours nothing is urgent.
PACE_SECONDS = 3.0
# Counted under the next session; with none planned, under this name.
NO_SESSION = "between-hours"
# The first run on an account answers what came in this long before it, not the messenger's
# whole history (a WhatsApp account answering months-old chats at once would be banned).
FIRST_RUN_LOOKBACK = timedelta(days=1)


@dataclass
class StandbyReport:
    """What one step between hours did: messages taken in, away texts sent, messages deleted."""

    taken: int = 0  # messages and calls taken in
    answered: int = 0  # away texts sent
    deleted: int = 0  # messages deleted at the messenger
    # The session `standby` let the messenger go to (due, open or closing), if any.
    handed_to: str | None = None
    waiting_for: Holder | None = None  # another receiver holds the account
    problems: list[str] = field(default_factory=list)


class Standby:
    """One messenger account between hours; `step()` is called in a loop (or once from cron)."""

    def __init__(
        self,
        store: Store,
        provider: Provider,
        config: Config,
        account: str,
        holder: Holder,
        *,
        pause: Callable[[float], None],
    ) -> None:
        """`account`: the messenger's name in the config; `pause` paces the replies."""
        self.store, self.provider, self.config = store, provider, config
        self.account, self.holder, self.pause = account, holder, pause
        self._sent = 0  # replies this process sent: every one after the first waits its turn

    def step(self, now: datetime, wait: float) -> StandbyReport:
        report = StandbyReport()
        busy = self.session_due(now)
        if busy is not None:
            # The hour is `open`'s: let go of the messenger at once.
            leasing.release(self.store, receiver_lease(self.account), self.holder)
            report.handed_to = busy
            return report
        other = leasing.try_hold(self.store, receiver_lease(self.account), self.holder, now)
        if other is not None:
            report.waiting_for = other
            return report
        # Expanding the schedules is the costly part of a step: once per step.
        upcoming = self.next_session(now)
        self._finish(now, report, upcoming)  # what a killed run left: replies and deletions
        try:
            batch = self.provider.receive(ledger.cursor(self.store, self.account), wait)
        except ProviderError as err:
            if not err.retryable:
                raise
            report.problems.append(err.message)
            return report
        gap = upcoming.id if upcoming is not None else ""
        floor = self.gap_began(now)
        with self.store.write() as conn:
            for event in batch.events:
                if not isinstance(event, InboundMessage | InboundCall):
                    # A withdrawal, an edit, a leaving: nothing of the gap is kept to change.
                    continue
                call = isinstance(event, InboundCall)
                stamp = event.at if isinstance(event, InboundCall) else event.sent_at
                if stamp < floor:
                    continue  # an earlier gap's, or history from before standby ran at all
                first = ledger.first_in_gap(conn, self.account, gap, event.chat)
                key = f"standby-away:{self.account}:{gap}:{event.provider_id}" if first else None
                if ledger.add_pending(conn, self.account, event.provider_id, event.chat, key, call):
                    self.store.bump(conn, gap or NO_SESSION, Counter.BETWEEN_HOURS)
                    report.taken += 1
            ledger.set_cursor(conn, self.account, batch.cursor, now)
        self._finish(now, report, upcoming)
        return report

    def release(self) -> None:
        leasing.release(self.store, receiver_lease(self.account), self.holder)

    def session_due(self, now: datetime) -> str | None:
        """A session of this messenger that is open or closing, or in its planned hour."""
        for record in self.store.sessions(SessionState.OPEN, SessionState.CLOSING):
            if record.provider == self.account:
                return record.id
        for spec in still_to_come(self.store, self.config, now):
            if spec.provider == self.account and in_window(now, spec.start, spec.end):
                return spec.id
        return None

    def gap_began(self, now: datetime) -> datetime:
        """What is older than this is not this gap's to answer: it came before the latest
        session on this account opened (that `open` dealt with it), or long before `standby`
        first ran here."""
        first = ledger.started(self.store, self.account) or now
        floor = first - FIRST_RUN_LOOKBACK
        opened = ledger.last_opened(self.store, self.account)
        return max(floor, opened) if opened is not None else floor

    def next_session(self, now: datetime) -> SessionSpec | None:
        """The next session of this messenger that can still take place."""
        later = [
            s
            for s in still_to_come(self.store, self.config, now)
            if s.provider == self.account and s.start > now
        ]
        return later[0] if later else None

    def _finish(self, now: datetime, report: StandbyReport, upcoming: SessionSpec | None) -> None:
        """Send the away texts still owed, then delete at the messenger; each step recorded."""
        owed = ledger.pending(self.store, self.account)
        if not owed:
            return
        text = between_hours(self.config.texts.away, self.config, upcoming)
        reach = self.provider.capabilities.delete_reach
        for item in owed:
            try:
                if item.is_call and not item.replied and self.provider.capabilities.reject_calls:
                    # Every call is declined; only the first contact in the gap gets the text.
                    self.provider.reject_call(InboundCall(item.provider_id, item.chat, "", now))
                if item.reply_key is not None and not item.replied:
                    if self._sent:
                        self.pause(PACE_SECONDS)
                    self.provider.send_text(item.chat, text, item.reply_key)
                    self._sent += 1
                    ledger.mark_replied(self.store, self.account, item.provider_id)
                    report.answered += 1
                if not item.is_call and reach is not DeleteReach.NONE:
                    self.provider.delete_messages(item.chat, [item.provider_id])
                    report.deleted += 1
            except ProviderError as err:
                report.problems.append(err.message)
                if err.retryable:
                    continue  # the next step tries again
            ledger.done(self.store, self.account, item.provider_id)
        if report.answered or report.deleted:
            # Fold the WAL, so the senders' handles in the pages just freed (zeroed by
            # secure_delete) do not linger in old frames; a busy reader: the next step tries.
            with contextlib.suppress(StoreError):
                self.store.checkpoint()
