"""Seeded fault injection around any `Provider` (the HTTP layer: `fault_transport.py`).

One `Faults` object per run holds the random source (`random.Random(seed)`), the plan and the
ledger of what was injected. The same seed replays the same faults for the same sequence of
calls; `seed_for_run()` takes `SPRECHSTUNDE_FAULT_SEED` from the environment or draws one, and
the test prints it (pytest shows a test's output only when it fails):

    SPRECHSTUNDE_FAULT_SEED=1234 .venv/bin/python -m pytest tests/soak/test_soak.py

Faults:

- `5xx`: the server failed; retryable. At the Provider seam a `ProviderError(retryable=True)`,
  at the HTTP layer a 502/503/504 response.
- `timeout`, `reset`: the connection failed. Half of them (`lost_reply_share`) happen *after*
  the server did the work — the request went through, the answer was lost. That is what tests
  idempotency: the client cannot tell it from a failure before the server, so it retries.
- `429`: rate limited, with a wait in seconds. At the HTTP layer the `Retry-After` header is
  either delta-seconds or an HTTP date (with a `Date` header to count from). The ledger
  records every ask and flags any retry of the same request that came before the wait was over
  (`early_retries`): "every 429 waited at least as long as asked".

What "duplicated" and "reordered" may mean at the Provider seam
----------------------------------------------------------------
A batch's cursor promises: every event up to here has been handed out. The services commit the
whole batch, then store the cursor; the next `receive` starts there. So a wrapper may

- re-deliver any event it handed out before, any number of times, in any batch: at-least-once
  delivery, which the store must absorb (duplicates in one batch, and re-deliveries of the
  previous batch);
- permute the events inside a batch: the batch is committed as a whole;
- hand out *later* events early: a proper subset of the batch, shuffled, with the cursor the
  caller passed in, i.e. not advanced. The skipped events come with the next call (the inner
  provider is asked again from the same cursor), followed by the early ones once more.

It may never return a cursor past an event it has not handed out — a crash after that commit
would lose the event — and it never invents a cursor: cursors stay opaque and come only from
the wrapped provider (or are the caller's own, handed back).
"""

from __future__ import annotations

import dataclasses
import os
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Capabilities, Closing, Provider, Sent
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.base.events import Event, InboundCall, MediaRef, ReceiveBatch
from sprechstunde_cli.providers.base.media import OutboundMedia

T = TypeVar("T")

SEED_VARIABLE = "SPRECHSTUNDE_FAULT_SEED"

# Every operation of the Provider protocol that talks to the messenger.
OPERATIONS = frozenset(
    {
        "receive",
        "send_text",
        "send_media",
        "download_media",
        "mark_read",
        "reject_call",
        "delete_messages",
        "remaining",
        "delete_chat",
        "announce",
    }
)


def seed_for_run() -> int:
    """The seed from SPRECHSTUNDE_FAULT_SEED, or a fresh one; print it so a failure replays."""
    text = os.environ.get(SEED_VARIABLE)
    seed = int(text) if text else random.SystemRandom().randrange(1, 2**31)
    print(f"fault seed: {seed} (replay: {SEED_VARIABLE}={seed})")
    return seed


class Kind(StrEnum):
    SERVER_ERROR = "5xx"
    TIMEOUT = "timeout"
    RESET = "reset"
    RATE_LIMIT = "429"


@dataclass(frozen=True)
class Plan:
    rate: float = 0.2  # chance that a call fails
    kinds: tuple[Kind, ...] = tuple(Kind)
    retry_after: tuple[int, int] = (1, 5)  # seconds a 429 asks for, inclusive
    lost_reply_share: float = 0.5  # of timeouts and resets: the work was done, the answer lost
    duplicate_rate: float = 0.2  # receive: a batch re-delivers events
    reorder_rate: float = 0.2  # receive: a batch is shuffled, or later events come early
    operations: frozenset[str] = OPERATIONS


@dataclass(frozen=True)
class Fault:
    kind: Kind
    after: bool  # the server did the work; only the answer was lost
    retry_after: float = 0.0


@dataclass(frozen=True)
class Injected:
    operation: str
    target: str  # what a retry of the same request is recognised by
    fault: Fault
    at: float


@dataclass
class Faults:
    """The random source, the plan and the ledger of one run; shared by all its wrappers."""

    seed: int
    plan: Plan
    now: Callable[[], float]  # seconds; the clock the code under test also waits on
    rng: random.Random = field(init=False)
    injected: list[Injected] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    duplicates_delivered: int = 0
    early_deliveries: int = 0
    shuffled_batches: int = 0
    early_retries: list[str] = field(default_factory=list)
    # Every call per target, with its fate: how often and how far apart a request was retried.
    history: dict[str, list[tuple[float, Fault | None]]] = field(default_factory=dict)
    enabled: bool = True
    _asked: dict[str, float] = field(default_factory=dict)  # target -> not before
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self, operation: str, target: str, *, http: bool = False) -> Fault | None:
        """Decide this call's fate; also check that a rate-limited request waited as asked.

        `plan.operations` picks Provider operations; an HTTP request (`http`) may always fail.
        """
        with self._lock:
            now = self.now()
            self.calls[operation] += 1
            until = self._asked.pop(target, None)
            if until is not None and now < until:
                self.early_retries.append(
                    f"{operation} {target}: retried {until - now:.3f} s before the asked wait"
                )
            fault = self._decide(operation, target, now, http)
            self.history.setdefault(target, []).append((now, fault))
            return fault

    def _decide(self, operation: str, target: str, now: float, http: bool) -> Fault | None:
        if not self.enabled or (operation not in self.plan.operations and not http):
            return None
        if self.rng.random() >= self.plan.rate:
            return None
        kind = self.rng.choice(self.plan.kinds)
        if kind is Kind.RATE_LIMIT:
            wait = float(self.rng.randint(*self.plan.retry_after))
            fault = Fault(kind, after=False, retry_after=wait)
            self._asked[target] = now + wait
        elif kind is Kind.SERVER_ERROR:
            fault = Fault(kind, after=False)
        else:
            fault = Fault(kind, after=self.rng.random() < self.plan.lost_reply_share)
        self.injected.append(Injected(operation, target, fault, now))
        return fault

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            return self.rng.randint(low, high)

    def chance(self, rate: float) -> bool:
        with self._lock:
            return self.enabled and self.rng.random() < rate

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        with self._lock:
            return self.rng.sample(list(items), k)

    def shuffled(self, items: Sequence[T]) -> list[T]:
        with self._lock:
            out = list(items)
            self.rng.shuffle(out)
            return out

    def count(self, kind: Kind | None = None, *, after: bool | None = None) -> int:
        return sum(
            1
            for i in self.injected
            if (kind is None or i.fault.kind is kind) and (after is None or i.fault.after is after)
        )

    def summary(self) -> str:
        kinds = ", ".join(f"{k.value} {self.count(k)}" for k in Kind)
        return (
            f"seed {self.seed}: {sum(self.calls.values())} calls, {len(self.injected)} faults "
            f"({kinds}; {self.count(after=True)} after the server did the work), "
            f"{self.duplicates_delivered} re-deliveries, {self.early_deliveries} early "
            f"deliveries, {self.shuffled_batches} shuffled batches"
        )


def provider_error(fault: Fault, operation: str) -> ProviderError:
    """What a provider raises for each fault (its HTTP layer maps them the same way)."""
    messages = {
        Kind.SERVER_ERROR: f"The messenger failed ({operation}: HTTP 503).",
        Kind.TIMEOUT: f"The messenger did not answer in time ({operation}).",
        Kind.RESET: f"The connection to the messenger was reset ({operation}).",
        Kind.RATE_LIMIT: f"The messenger asks us to slow down ({operation}: HTTP 429).",
    }
    return ProviderError(
        messages[fault.kind] + " [injected]",
        "Retried by itself.",
        retryable=True,
        retry_after=fault.retry_after,
    )


class FaultyProvider(Closing):
    """Any Provider, with faults injected at its seam; see the module docstring."""

    def __init__(self, inner: Provider, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults
        self.name = inner.name
        self.capabilities: Capabilities = inner.capabilities
        self._handed_out: list[Event] = []  # the last batch, for re-delivery

    def _call(self, operation: str, target: str, call: Callable[[], T]) -> T:
        fault = self.faults.draw(operation, target)
        if fault is None:
            return call()
        if fault.after:
            call()  # it happened at the server; the answer never arrives
        raise provider_error(fault, operation)

    # --- receiving --------------------------------------------------------------------------

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        batch = self._call("receive", "receive", lambda: self.inner.receive(cursor, wait))
        events = list(batch.events)
        plan = self.faults.plan
        # The first chance always hands events out early, so every run (whatever its seed)
        # exercises it; after that, by chance.
        first = plan.reorder_rate > 0 and self.faults.early_deliveries == 0
        if events and cursor is not None and (first or self.faults.chance(plan.reorder_rate / 2)):
            # Later events early, the cursor not advanced: the rest come next time.
            early = self.faults.sample(events, self.faults.randint(1, len(events)))
            if len(early) < len(events):
                self.faults.early_deliveries += len(early)
                self._handed_out = early
                return ReceiveBatch(tuple(self.faults.shuffled(early)), cursor)
        again: list[Event] = []
        if self._handed_out and self.faults.chance(plan.duplicate_rate):
            again = self.faults.sample(
                self._handed_out, self.faults.randint(1, len(self._handed_out))
            )
        if events and self.faults.chance(plan.duplicate_rate):
            again += self.faults.sample(events, self.faults.randint(1, len(events)))
        self.faults.duplicates_delivered += len(again)
        events += again
        if len(events) > 1 and self.faults.chance(plan.reorder_rate):
            self.faults.shuffled_batches += 1
            events = self.faults.shuffled(events)
        self._handed_out = list(batch.events)
        return ReceiveBatch(tuple(events), batch.cursor)

    # --- sending: a retry is recognised by its idempotency key ------------------------------

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return self._call("send_text", key, lambda: self.inner.send_text(chat, text, key))

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return self._call(
            "send_media", key, lambda: self.inner.send_media(chat, media, caption, key)
        )

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        return self.inner.read_by_citizens(sent)

    def announce(self, text: str, key: str) -> Sent:
        return self._call("announce", key, lambda: self.inner.announce(text, key))

    # --- everything else: a retry is the same operation on the same chat or file ------------

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        return self._call(
            "download_media", media.ref, lambda: self.inner.download_media(media, max_bytes)
        )

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        self._call("mark_read", chat, lambda: self.inner.mark_read(chat, provider_ids))

    def reject_call(self, call: InboundCall) -> None:
        self._call("reject_call", call.provider_id, lambda: self.inner.reject_call(call))

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        return self._call(
            "delete_messages", chat, lambda: self.inner.delete_messages(chat, provider_ids)
        )

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        return self._call("remaining", chat, lambda: self.inner.remaining(chat, provider_ids))

    def delete_chat(self, chat: str) -> DeleteOutcome:
        return self._call("delete_chat", chat, lambda: self.inner.delete_chat(chat))

    def check(self) -> tuple[str, ...]:
        return self.inner.check()

    def close(self) -> None:
        self.inner.close()


class Keyless:
    """A provider as if it had no idempotency key: every retry is a new message at the server.

    Wraps a provider that honours keys and hands it a fresh key per call, so a retried send
    really doubles; `capabilities.idempotent_send` says False. Used to measure duplicates.
    """

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = dataclasses.replace(inner.capabilities, idempotent_send=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return self.inner.send_text(chat, text, f"{key}#{uuid.uuid4().hex}")

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return self.inner.send_media(chat, media, caption, f"{key}#{uuid.uuid4().hex}")
