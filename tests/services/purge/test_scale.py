"""The purge at scale: chats in parallel up to the provider's limit, never over it.

The pacer and the retrying caller are checked on a fake clock; the purge itself runs against
`RateLimitedServer` on the wall clock (about a second per test), because only real threads
on a real clock show that overlapping calls stay under a limit the server enforces.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.domain.receipt import Receipt
from sprechstunde_cli.errors import IncompleteError, ProviderError
from sprechstunde_cli.services import ratelimit
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.purge.remote import delete_remote
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.faults import Faults, FaultyProvider, Plan, seed_for_run
from tests.support.ratelimit_fake import Limit, RateLimitedProvider, RateLimitedServer
from tests.support.service_rig import make_config

SID = "mittwoch"


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class StepClock:
    """A fake clock in plain seconds for the pacer."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


# --- the pacer and the caller, on a fake clock ----------------------------------------------


def test_the_pacer_spaces_calls_a_little_under_the_declared_rate() -> None:
    clock = StepClock()
    pacer = ratelimit.Pacer(10.0, clock.now, clock.sleep)
    starts = []
    for _ in range(50):
        pacer.wait_turn()
        starts.append(clock.now())
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(starts)}
    assert gaps == {round(1 / (10 * ratelimit.HEADROOM), 9)}
    assert max(sum(1 for s in starts if t <= s < t + 1) for t in starts) <= 10


def test_without_a_declared_rate_nothing_waits() -> None:
    clock = StepClock()
    pacer = ratelimit.Pacer(None, clock.now, clock.sleep)
    for _ in range(100):
        pacer.wait_turn()
    assert clock.slept == []


def test_a_pause_binds_every_caller_and_slows_the_pace_until_calls_succeed() -> None:
    clock = StepClock()
    pacer = ratelimit.Pacer(10.0, clock.now, clock.sleep)
    pacer.wait_turn()
    pacer.pause(3.0)
    pacer.wait_turn()
    assert clock.now() >= 3.0
    assert pacer.rate == pytest.approx(10 * ratelimit.HEADROOM / ratelimit.SLOWDOWN)
    for _ in range(200):
        pacer.succeeded()
    assert pacer.rate == pytest.approx(10 * ratelimit.HEADROOM)


def test_the_caller_retries_transient_failures_a_bounded_number_of_times_with_jitter() -> None:
    clock = StepClock()
    caller = ratelimit.Caller(
        ratelimit.Pacer(None, clock.now, clock.sleep), clock.sleep, rng=random.Random(3).random
    )
    tries = 0

    def flaky() -> str:
        nonlocal tries
        tries += 1
        if tries < 3:
            raise ProviderError("HTTP 503", retryable=True)
        return "ok"

    assert caller(flaky) == "ok"
    assert tries == 3
    assert len(clock.slept) == 2
    assert clock.slept[0] <= 0.5 and clock.slept[1] <= 1.0  # full jitter under the ceiling

    def dead() -> str:
        raise ProviderError("connection refused", retryable=True)

    with pytest.raises(ProviderError):
        caller(dead)
    before = len(clock.slept)
    with pytest.raises(ProviderError):
        caller(dead)  # the provider is down: one attempt, no more waiting
    assert len(clock.slept) == before

    def refused() -> str:
        raise ProviderError("HTTP 403")

    fresh = ratelimit.Caller(ratelimit.Pacer(None, clock.now, clock.sleep), clock.sleep)
    with pytest.raises(ProviderError):
        fresh(refused)  # not retryable: at once


# --- the purge against a rate-limited server, on the wall clock -----------------------------


@dataclass
class Scale:
    store: Store
    server: RateLimitedServer
    places: Places

    def purge(self, provider: Any, clock: Any = None) -> Receipt:
        return purge(
            self.store,
            provider,
            make_config(),
            SID,
            clock or WallClock(),
            places=self.places,
            mailer=None,
        )


def closed_session(store: Store, refs: dict[str, list[str]]) -> None:
    """A closed session whose threads hold the server's message ids (no texts sent)."""
    spec = make_config().session(SID)
    store.ensure_session(spec)
    store.transition(SID, SessionState.OPEN, IN_THE_HOUR, "t", opened_at=IN_THE_HOUR)
    with store.write() as conn:
        for n, (chat, ids) in enumerate(refs.items()):
            for i, pid in enumerate(ids):
                store.add_inbound(
                    conn,
                    SID,
                    provider_id=pid,
                    chat=chat,
                    display_name="",
                    at=IN_THE_HOUR + timedelta(seconds=n),
                    kind=MessageKind.TEXT,
                    body=f"Frage {n}.{i}: Wann wird die Brücke am Musterweg repariert?",
                    media=None,
                )
    store.transition(SID, SessionState.CLOSING, IN_THE_HOUR, "t")
    store.transition(SID, SessionState.CLOSED, IN_THE_HOUR, "t", closed_at=IN_THE_HOUR)


def scale(tmp_path: Path, limit: Limit, chats: int, latency: float) -> Scale:
    data = tmp_path / "data"
    store = Store.open(data / "sprechstunde.db")
    server = RateLimitedServer(limit, time.time, time.sleep, latency=latency)
    closed_session(store, server.seed(chats, per_chat=2))
    places = Places(data, data / "sessions" / SID, data / "log" / "x.log", tmp_path / "export")
    return Scale(store, server, places)


@pytest.fixture
def cleanup() -> Iterator[list[Store]]:
    stores: list[Store] = []
    yield stores
    for store in stores:
        store.close()


def test_the_purge_overlaps_calls_up_to_the_limit_and_never_over(
    tmp_path: Path, cleanup: list[Store]
) -> None:
    # 200 chats × 3 calls at 10 ms each: one at a time that is 6 s, i.e. 100 calls/s; the
    # server allows 600/s, so only overlapping calls get near the limit.
    world = scale(tmp_path, Limit(600), chats=200, latency=0.01)
    cleanup.append(world.store)
    provider = RateLimitedProvider(world.server, declared_rate=600, concurrency=16)
    receipt = world.purge(provider)
    assert world.server.rejected == 0  # never over the limit
    assert 2 <= world.server.max_in_flight <= 16
    assert world.server.requests == 600
    assert world.server.messages_left == 0 and world.server.chats == {}
    result = receipt.providers[0]
    assert (result.requested, result.confirmed, result.remaining) == (400, 400, 0)
    assert (result.chats_removed, result.failed, result.ok) == (200, (), True)
    assert world.store.require_session(SID).state is SessionState.PURGED


def test_a_server_stricter_than_declared_is_obeyed_and_the_purge_completes(
    tmp_path: Path, cleanup: list[Store]
) -> None:
    world = scale(tmp_path, Limit(150, retry_after=0.2), chats=100, latency=0.005)
    cleanup.append(world.store)
    provider = RateLimitedProvider(world.server, declared_rate=600, concurrency=16)
    receipt = world.purge(provider)
    assert world.server.rejected > 0  # it was told to slow down ...
    assert world.server.ignored_waits == 0  # ... and never came back before the wait was over
    assert receipt.providers[0].ok and world.server.chats == {}


def test_a_flaky_server_is_retried_and_the_purge_completes_in_one_run(
    tmp_path: Path, cleanup: list[Store]
) -> None:
    seed = seed_for_run()
    world = scale(tmp_path, Limit(10_000), chats=150, latency=0.0)
    cleanup.append(world.store)
    clock = FakeClock(IN_THE_HOUR)  # backoff and Retry-After cost no real time
    faults = Faults(seed, Plan(rate=0.15, retry_after=(1, 3)), lambda: clock.now().timestamp())
    inner = RateLimitedProvider(world.server, declared_rate=None, concurrency=1)
    receipt = world.purge(FaultyProvider(inner, faults), clock)
    print(faults.summary())
    assert faults.count() > 30
    assert faults.early_retries == []
    assert receipt.providers[0].ok and world.server.chats == {}


def test_parallel_and_one_at_a_time_give_the_same_result(tmp_path: Path) -> None:
    results = []
    for concurrency in (1, 8):
        world = scale(tmp_path / str(concurrency), Limit(10_000), chats=60, latency=0.001)
        # A chat the server no longer knows, and one it refuses to forget: both must show.
        world.server.chats.pop("+49 000 0000007")
        provider = RateLimitedProvider(world.server, declared_rate=None, concurrency=concurrency)
        sticky = "+49 000 0000011"
        original = provider.remaining

        def stubborn(chat: str, ids: Any, original: Any = original, sticky: str = sticky) -> Any:
            return frozenset(ids) if chat == sticky else original(chat, ids)

        provider.remaining = stubborn  # type: ignore[method-assign]
        result = delete_remote(world.store, provider, SID, False, FakeClock(IN_THE_HOUR))
        results.append(result)
        with pytest.raises(IncompleteError):
            world.purge(provider)
        world.store.close()
    one, many = results
    assert (one.requested, one.confirmed, one.remaining, one.chats_removed, one.failed) == (
        many.requested,
        many.confirmed,
        many.remaining,
        many.chats_removed,
        many.failed,
    )
    assert one.remaining == 2 and not one.ok
