"""Drive a provider as hard as it allows, never harder: pacing, server-asked pauses, retries.

Used where one use case makes many independent provider calls (the purge deletes chat by chat).
The pacer hands out start times at most `rate` per second to any number of threads; a 429 with
Retry-After pauses every thread, not only the one that was told; transient failures are retried
a bounded number of times with full-jitter backoff. Time is injected (`now`, `sleep`), so tests
walk a fake clock instead of waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sprechstunde_cli.domain.retry import Backoff, Random, uniform
from sprechstunde_cli.errors import ProviderError

T = TypeVar("T")

# Pace a little under the declared limit: a thread that wakes late must not push two calls
# into the same window of a server that counts strictly (e.g. "R per any one second").
HEADROOM = 0.95
ATTEMPTS = 5  # per call, for failures (5xx, timeouts, resets)
RATE_LIMITED_ATTEMPTS = 20  # per call, for 429s: the server said "later", not "failed"
# A server stricter than declared: each 429 halves our pace, each success wins a little back.
SLOWDOWN = 2.0
RECOVERY = 0.98
SLOWEST = 64.0  # never slower than 1/64 of the declared rate
BACKOFF = Backoff(base=0.25, cap=8.0)


class Pacer:
    """Start times at most `rate` per second across threads, and no start inside a pause."""

    def __init__(
        self, rate: float | None, now: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._base = 1.0 / (rate * HEADROOM) if rate else 0.0
        self._interval = self._base
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = float("-inf")  # the earliest start of the next call
        self._paused_until = float("-inf")

    def wait_turn(self) -> None:
        """Block until this thread may start one call."""
        while True:
            with self._lock:
                start = max(self._now(), self._next, self._paused_until)
                if self._interval:
                    self._next = start + self._interval
            self._sleep_until(start)
            with self._lock:
                # A pause that began while we slept still binds us: take a new turn after it.
                if self._now() >= self._paused_until:
                    return

    def pause(self, seconds: float) -> None:
        """The server asked everyone to wait (429 Retry-After): no call starts before then."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._now() + seconds)
            self._interval = min(self._interval * SLOWDOWN, self._base * SLOWEST)

    def succeeded(self) -> None:
        with self._lock:
            self._interval = max(self._base, self._interval * RECOVERY)

    @property
    def rate(self) -> float | None:
        """Calls per second the pacer allows now; None if unpaced."""
        return 1.0 / self._interval if self._interval else None

    def _sleep_until(self, moment: float) -> None:
        while (left := moment - self._now()) > 0:
            self._sleep(left)


class Caller:
    """Run one provider call: paced, retried while retryable, bounded in attempts.

    Once any call has used up its attempts on a retryable error the provider is taken to be
    down, and later calls make one attempt each: a dead server fails the run quickly.
    """

    def __init__(
        self,
        pacer: Pacer,
        sleep: Callable[[float], None],
        *,
        attempts: int = ATTEMPTS,
        rng: Random = uniform,
    ) -> None:
        self.pacer = pacer
        self._sleep = sleep
        self._attempts = attempts
        self._rng = rng
        self._down = threading.Event()

    def __call__(self, call: Callable[[], T]) -> T:
        failures = rate_limited = 0
        while True:
            self.pacer.wait_turn()
            try:
                result = call()
            except ProviderError as err:
                if not err.retryable:
                    raise
                if err.retry_after > 0:
                    rate_limited += 1
                    spent = rate_limited >= RATE_LIMITED_ATTEMPTS
                else:
                    failures += 1
                    spent = failures >= self._attempts
                if spent or self._down.is_set():
                    self._down.set()
                    raise
                if err.retry_after > 0:
                    self.pacer.pause(err.retry_after)
                else:
                    self._sleep(BACKOFF.delay(failures, self._rng))
                continue
            self.pacer.succeeded()
            return result


def run_all(tasks: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Run tasks on up to `workers` threads; results in task order.

    On Ctrl-C (or any error) the tasks not yet started are cancelled; the ones running finish
    their current call, which is bounded.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(tasks)), thread_name_prefix="provider")
    try:
        futures = [pool.submit(task) for task in tasks]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
