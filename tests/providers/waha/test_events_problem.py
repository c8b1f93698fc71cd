"""WAHA's event stream is the only way calls arrive: when it cannot be opened the operator is
told once that calls go unseen, not on every receive, and once more when it is back; the hour
passes the news on in its step report."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from sprechstunde_cli.config import parse_config
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base.events import InboundMessage
from sprechstunde_cli.providers.waha.provider import RECONNECT_AFTER_S, WahaProvider
from sprechstunde_cli.providers.waha.settings import WahaSettings
from sprechstunde_cli.services import hour
from sprechstunde_cli.store import Store
from tests.support.cli import EXAMPLE_CONFIG, real_time_servers
from tests.support.clocks import IN_THE_HOUR, StepTimer
from tests.support.fakes.waha import FakeWaha

DOWN = "Cannot open WAHA's event stream (ConnectionRefusedError)."


@dataclass
class FlakyEvents:
    """An EventSource whose `open` fails `failures` times (with `reason`), then connects."""

    failures: int
    reason: str = DOWN
    opened: int = 0
    attempts: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    timer: StepTimer | None = None  # a wait passes on it, as a real one passes in time
    _alive: bool = False

    def open(self) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ProviderError(self.reason, "Start the WAHA container.", retryable=True)
        self.opened += 1
        self._alive = True

    @property
    def alive(self) -> bool:
        return self._alive

    def drop(self) -> None:
        """The connection breaks: the next receive (after the pause) opens it again."""
        self._alive = False

    def wait(self, timeout: float) -> bool:
        if self.timer is not None:
            self.timer.sleep(timeout)
        return False

    def take(self) -> list[dict[str, Any]]:
        taken, self.calls = self.calls, []
        return taken

    def close(self) -> None:
        self._alive = False


@dataclass
class Setup:
    fake: FakeWaha
    events: FlakyEvents
    timer: StepTimer
    provider: WahaProvider


@pytest.fixture
def make() -> Iterator[Any]:
    made: list[Setup] = []

    def build(events: FlakyEvents) -> Setup:
        fake = FakeWaha(engine="WEBJS")
        settings = WahaSettings(engine="WEBJS", poll_interval_seconds=0.05, timeout_seconds=5)
        client = httpx.Client(
            base_url=settings.base_url,
            headers={"X-Api-Key": fake.api_key},
            transport=httpx.MockTransport(fake),
        )
        timer = StepTimer()
        events.timer = timer
        provider = WahaProvider(client, settings, events=events, timer=timer, pause=lambda s: None)
        setup = Setup(fake, events, timer, provider)
        made.append(setup)
        return setup

    yield build
    for setup in made:
        setup.provider.close()
        assert setup.fake.violations == []


def calls_unseen(problems: tuple[str, ...]) -> bool:
    return any("Calls are not seen" in p for p in problems)


def test_a_stream_that_cannot_open_is_reported_once(make: Any) -> None:
    setup = make(FlakyEvents(failures=100))
    first = setup.provider.receive(None, wait=0)
    assert len(first.problems) == 1
    (problem,) = first.problems
    assert "Calls are not seen" in problem
    assert DOWN in problem
    assert "Messages still arrive" in problem
    second = setup.provider.receive(first.cursor, wait=0)
    assert second.problems == ()


def test_failing_again_the_same_way_is_not_repeated(make: Any) -> None:
    setup = make(FlakyEvents(failures=100))
    assert calls_unseen(setup.provider.receive(None, wait=0).problems)
    for _ in range(3):
        setup.timer.now += RECONNECT_AFTER_S
        assert setup.provider.receive(None, wait=0).problems == ()
    assert setup.events.attempts == 4  # it kept trying, quietly


def test_the_stream_is_not_retried_before_the_pause(make: Any) -> None:
    setup = make(FlakyEvents(failures=1))
    setup.provider.receive(None, wait=0)
    setup.timer.now += RECONNECT_AFTER_S / 2
    assert setup.provider.receive(None, wait=0).problems == ()
    assert setup.events.attempts == 1


def test_reconnecting_is_reported_once_as_back(make: Any) -> None:
    setup = make(FlakyEvents(failures=1))
    down = setup.provider.receive(None, wait=0)
    assert calls_unseen(down.problems)
    setup.timer.now += RECONNECT_AFTER_S
    back = setup.provider.receive(down.cursor, wait=0)
    assert setup.events.opened == 1
    assert len(back.problems) == 1
    assert "back" in back.problems[0]
    assert not calls_unseen(back.problems)
    setup.timer.now += RECONNECT_AFTER_S
    assert setup.provider.receive(back.cursor, wait=0).problems == ()


def test_a_stream_that_opens_at_once_is_never_mentioned(make: Any) -> None:
    setup = make(FlakyEvents(failures=0))
    assert setup.provider.receive(None, wait=0).problems == ()
    assert setup.events.opened == 1


def test_a_stream_that_drops_later_is_reported_when_it_cannot_reopen(make: Any) -> None:
    events = FlakyEvents(failures=0)
    setup = make(events)
    assert setup.provider.receive(None, wait=0).problems == ()
    events.drop()
    events.failures = events.attempts + 1  # the next open fails once
    setup.timer.now += RECONNECT_AFTER_S
    assert calls_unseen(setup.provider.receive(None, wait=0).problems)
    setup.timer.now += RECONNECT_AFTER_S
    (back,) = setup.provider.receive(None, wait=0).problems
    assert "back" in back


def test_a_different_failure_is_reported_again(make: Any) -> None:
    events = FlakyEvents(failures=100)
    setup = make(events)
    assert calls_unseen(setup.provider.receive(None, wait=0).problems)
    events.reason = "WAHA's event stream refused the API key (HTTP 401)."
    setup.timer.now += RECONNECT_AFTER_S
    (again,) = setup.provider.receive(None, wait=0).problems
    assert "HTTP 401" in again


def test_messages_still_arrive_while_the_stream_is_down(make: Any) -> None:
    setup = make(FlakyEvents(failures=100))
    setup.fake.citizen_send("anna", "Guten Tag, eine Frage zur Baustelle")
    batch = setup.provider.receive(None, wait=0)
    (message,) = batch.events
    assert isinstance(message, InboundMessage)
    assert message.text == "Guten Tag, eine Frage zur Baustelle"
    assert calls_unseen(batch.problems)


def test_waiting_receive_reconnects_by_itself(make: Any) -> None:
    setup = make(FlakyEvents(failures=1))
    first = setup.provider.receive(None, wait=RECONNECT_AFTER_S + 1)
    # It idled on the timer, tried again after the pause, and got the stream back: the
    # operator hears only the current state.
    assert setup.events.opened == 1
    assert not calls_unseen(first.problems)


# --- the hour passes it on --------------------------------------------------------------------


def test_the_hours_step_reports_the_problem_once(make: Any, tmp_path: Path) -> None:
    setup = make(FlakyEvents(failures=1))
    config = parse_config(tomllib.loads(real_time_servers(EXAMPLE_CONFIG)))
    store = Store.open(tmp_path / "data" / "store.db")
    try:
        hour.open_session(store, config.session("mittwoch"), IN_THE_HOUR, actor="test")
        running = hour.Hour(
            store,
            setup.provider,
            config,
            "mittwoch",
            tmp_path / "media",
            timer=setup.timer,
        )
        first = running.step(IN_THE_HOUR, wait=0)
        unseen = [p for p in first.problems if "Calls are not seen" in p]
        assert len(unseen) == 1
        assert DOWN in unseen[0]
        second = running.step(IN_THE_HOUR, wait=0)
        assert not calls_unseen(tuple(second.problems))
        setup.timer.now += RECONNECT_AFTER_S
        third = running.step(IN_THE_HOUR, wait=0)
        assert any("back" in p for p in third.problems)
        assert not calls_unseen(tuple(third.problems))
    finally:
        store.close()
