"""Soak: a whole hour of 50 citizens and 2,000 messages while 20 % of provider calls fail.

Seeded: the seed is printed, and SPRECHSTUNDE_FAULT_SEED=<seed> replays a failing run. The
clock is a FakeClock, so backoff and Retry-After waits cost no real time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.base.events import ReceiveBatch
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import delivery, hour
from sprechstunde_cli.store import Store, outbox
from tests.support import soak
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.contract import PNG
from tests.support.faults import Faults, FaultyProvider, Keyless, Kind, Plan, seed_for_run
from tests.support.local_rig import LocalCitizens
from tests.support.service_rig import make_config

SENDS = frozenset({"send_text", "send_media"})
RECEIVE = frozenset({"receive"})


@dataclass
class LocalWorld:
    store: Store
    messenger: LocalMessenger
    clock: FakeClock
    media_dir: Path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LocalWorld]:
    data = tmp_path / "data"
    store = Store.open(data / "sprechstunde.db")
    clock = FakeClock(IN_THE_HOUR)
    messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
    yield LocalWorld(store, messenger, clock, data / "sessions" / "s" / "media")
    messenger.close()
    store.close()


@pytest.fixture
def seed() -> int:
    return seed_for_run()


def soak_local(
    world: LocalWorld, seed: int, *, keyless: bool, plan: Plan | None = None
) -> tuple[soak.Report, Faults]:
    faults = Faults(seed, plan or Plan(rate=0.2), now=lambda: world.clock.now().timestamp())
    inner = LocalProvider(world.messenger)
    provider = FaultyProvider(Keyless(inner) if keyless else inner, faults)
    report = soak.run(
        world.store,
        provider,
        LocalCitizens(world.messenger),
        make_config(),
        world.clock,
        world.media_dir,
        faults,
    )
    print(report.line())
    print(faults.summary())
    return report, faults


def lost_replies_on_sends(faults: Faults) -> int:
    """Sends that reached the server whose answer was lost: each one invites a second copy."""
    return sum(1 for i in faults.injected if i.operation in SENDS and i.fault.after)


def assert_nothing_lost(report: soak.Report, faults: Faults) -> None:
    assert report.drained, "the outbox or the intake did not settle within the drain bound"
    assert len(report.sent) == 2_000
    assert report.lost == []
    assert report.doubled_in_store == []
    assert sum(report.stored.values()) == len(report.sent)
    assert report.outbox == {outbox.SENT: report.outbox[outbox.SENT]}  # nothing failed
    assert report.misdelivered == 0
    assert len(report.greetings) == 50
    # The run really was hostile: every kind of fault, and receive re-delivered and reordered.
    assert all(faults.count(kind) > 10 for kind in Kind)
    assert faults.duplicates_delivered > 50
    assert faults.early_deliveries > 0 and faults.shuffled_batches > 0
    assert lost_replies_on_sends(faults) > 10
    # Every 429 was honoured: no request came again before the wait it was given.
    assert faults.early_retries == []


def test_soak_with_an_idempotency_key_loses_nothing_and_sends_nothing_twice(
    world: LocalWorld, seed: int
) -> None:
    report, faults = soak_local(world, seed, keyless=False)
    assert_nothing_lost(report, faults)
    assert set(report.greetings.values()) == {1}  # greeting exactly once per citizen
    replies = [t for texts in report.replies.values() for t in texts]
    assert len(replies) > 100
    assert sorted(report.reply_copies.elements()) == sorted(replies)  # each exactly once
    assert report.duplicates_on_phones == 0
    # A photo whose download fails for a passing reason is fetched again with later batches;
    # only one that failed every one of its MEDIA_ATTEMPTS tries is stored without its file.
    downloads = [calls for target, calls in faults.history.items() if target.startswith("loc-")]
    assert len(downloads) > 30 and any(len(calls) > 1 for calls in downloads)
    given_up = sum(
        1
        for calls in downloads
        if len(calls) >= hour.MEDIA_ATTEMPTS
        and all(fault for _, fault in calls[: hour.MEDIA_ATTEMPTS])
    )
    assert report.files_refused == given_up
    print(f"photos stored without their file (failed {hour.MEDIA_ATTEMPTS}×): {given_up}")


def test_soak_without_an_idempotency_key_doubles_exactly_the_lost_answers(
    world: LocalWorld, seed: int
) -> None:
    report, faults = soak_local(world, seed, keyless=True)
    assert_nothing_lost(report, faults)
    replies = [t for texts in report.replies.values() for t in texts]
    assert set(report.reply_copies) == set(replies)  # every reply arrived, some twice
    # The measured figure: each send whose answer was lost shows up once more on a phone —
    # no more (no retry without cause), no fewer (nothing lost).
    print(
        f"duplicates without an idempotency key: {report.duplicates_on_phones} "
        f"of {sum(report.reply_copies.values()) + sum(report.greetings.values())} messages"
    )
    assert report.duplicates_on_phones == lost_replies_on_sends(faults) > 0


def test_retries_are_bounded_and_jittered(world: LocalWorld, seed: int) -> None:
    # No 429s here: a 429 rightly pauses every send of the session, which would hide the
    # backoff being measured (429 waits have their own test above).
    plan = Plan(rate=0.2, kinds=tuple(k for k in Kind if k is not Kind.RATE_LIMIT))
    report, faults = soak_local(world, seed, keyless=False, plan=plan)
    sends = {
        target: calls
        for target, calls in faults.history.items()
        if target.startswith("mittwoch:")  # outbox keys
    }
    assert max(len(calls) for calls in sends.values()) <= delivery.MAX_ATTEMPTS
    # The wait after a first failure (not a 429) is full jitter: uniform in [0, 2 s]. Only the
    # hour itself counts, where the clock moves in 0.25 s steps (the drain moves in 2 s steps),
    # and only where no 429 came in between: a 429 rightly holds back every queued send.
    end_of_hour = report.drain_from
    pauses = [i.at for i in faults.injected if i.operation in SENDS and i.fault.retry_after]
    gaps = []
    for calls in sends.values():
        (first, fault), *rest = calls
        if not fault or fault.kind is Kind.RATE_LIMIT or not rest or rest[0][0] >= end_of_hour:
            continue
        if not any(first <= at < rest[0][0] for at in pauses):
            gaps.append(rest[0][0] - first)
    assert len(gaps) > 30
    step = soak.Workload().step_seconds
    assert max(gaps) <= 2.0 + step + 1e-6  # bounded by the backoff ceiling
    early = sum(1 for g in gaps if g < 1.0) / len(gaps)
    assert 0.2 < early < 0.8, f"not spread like full jitter: {sorted(gaps)}"
    assert len({round(g, 2) for g in gaps}) > 4


def test_an_unreachable_messenger_pauses_receiving_but_not_the_hour(world: LocalWorld) -> None:
    clock = world.clock
    plan = Plan(rate=1.0, kinds=(Kind.RATE_LIMIT,), retry_after=(30, 30), operations=RECEIVE)
    faults = Faults(5, plan, lambda: clock.now().timestamp())
    provider = FaultyProvider(LocalProvider(world.messenger), faults)
    config = make_config()
    hour.open_session(world.store, config.session("mittwoch"), clock.now(), actor="t")
    running = hour.Hour(world.store, provider, config, "mittwoch", world.media_dir)
    world.messenger.citizen_send("+49 000 0000042", "Ist jemand da?")
    report = running.step(clock.now(), 0.0)
    assert report.intake.stored == 0 and "HTTP 429" in report.problems[0]
    for _ in range(5):  # inside the asked 30 s: the hour goes on, receive is not asked again
        clock.advance(seconds=5)
        assert running.step(clock.now(), 0.0).problems == []
    assert faults.calls["receive"] == 1
    faults.enabled = False
    clock.advance(seconds=6)
    assert running.step(clock.now(), 0.0).intake.stored == 1
    assert faults.early_retries == []
    assert [e.text[:8] for e in world.messenger.phone("+49 000 0000042") if e.incoming] == [
        "Guten Ta"
    ]


def test_a_refusal_on_receive_still_stops_the_hour(world: LocalWorld) -> None:
    class Refusing(LocalProvider):
        def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
            raise ProviderError("The access token was refused.", "Run: sprechstunde login x")

    config = make_config()
    hour.open_session(world.store, config.session("mittwoch"), world.clock.now(), actor="t")
    running = hour.Hour(world.store, Refusing(world.messenger), config, "mittwoch", world.media_dir)
    with pytest.raises(ProviderError):
        running.step(world.clock.now(), 0.0)


def test_a_file_that_keeps_failing_is_retried_a_bounded_number_of_times(
    world: LocalWorld,
) -> None:
    clock = world.clock
    plan = Plan(rate=1.0, kinds=(Kind.SERVER_ERROR,), operations=frozenset({"download_media"}))
    faults = Faults(9, plan, lambda: clock.now().timestamp())
    config = make_config()
    hour.open_session(world.store, config.session("mittwoch"), clock.now(), actor="t")
    running = hour.Hour(
        world.store, FaultyProvider(LocalProvider(world.messenger), faults), config, "mittwoch",
        world.media_dir, rng=lambda: 1.0,
    )  # fmt: skip
    world.messenger.citizen_send(
        "+49 000 0000043", "Das Schlagloch", kind=MessageKind.IMAGE, media=PNG, mime="image/png"
    )
    world.messenger.citizen_send("+49 000 0000044", "Und die Laterne?")
    first = running.step(clock.now(), 0.0)
    assert (first.intake.stored, first.intake.deferred) == (1, [first.intake.deferred[0]])
    steps = 1
    while faults.calls["download_media"] < hour.MEDIA_ATTEMPTS and steps < 100:
        clock.advance(seconds=1)
        running.step(clock.now(), 0.0)
        steps += 1
    bodies = {m.body for m in world.store.messages("mittwoch")}
    assert "Das Schlagloch\n[Datei nicht übernommen]" in bodies and "Und die Laterne?" in bodies
    assert faults.calls["download_media"] == hour.MEDIA_ATTEMPTS  # and not once more
    assert world.store.cursor("mittwoch") is not None


def test_a_wait_the_messenger_asks_for_counts_from_after_the_long_poll(
    world: LocalWorld,
) -> None:
    class SlowAndBusy(LocalProvider):
        def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
            time.sleep(wait)  # a long poll that used all of its wait
            return super().receive(cursor, 0.0)

        def send_text(self, chat: str, text: str, key: str) -> Sent:
            raise ProviderError("HTTP 429", retryable=True, retry_after=1.0)

    config = make_config()
    start = world.clock.now()
    hour.open_session(world.store, config.session("mittwoch"), start, actor="t")
    running = hour.Hour(world.store, SlowAndBusy(world.messenger), config, "mittwoch",
                        world.media_dir)  # fmt: skip
    world.messenger.citizen_send("+49 000 0000045", "Hallo?")
    running.step(start, 0.3)
    (next_at,) = [r[0] for r in world.store.conn.execute("SELECT next_at FROM outbox")]
    # The greeting was refused 0.3 s after `start`: its retry may not come before start + 1.3.
    assert datetime.fromisoformat(next_at) >= start + timedelta(seconds=1.3)
