"""The outbox and its delivery: Retry-After, bounded jittered retries, resume after a crash."""

from __future__ import annotations

import pytest

from sprechstunde_cli.domain.model import Purpose
from sprechstunde_cli.errors import (
    ProviderError,
)
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.http import Unauthorized
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import delivery
from sprechstunde_cli.store import outbox
from tests.support.service_rig import Rig

# --- outbox and delivery ----------------------------------------------------------------------


class FlakyProvider(LocalProvider):
    """The local provider with scripted failures on send."""

    def __init__(self, messenger: LocalMessenger, failures: list[ProviderError]) -> None:
        super().__init__(messenger)
        self.failures = failures
        self.attempts = 0

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        return super().send_text(chat, text, key)


def test_retry_after_is_honoured_and_the_reply_arrives_once(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c7", "Frage")
    rig.step()
    flaky = FlakyProvider(rig.messenger, [ProviderError("429", retryable=True, retry_after=30)])
    result = rig.reply(1, "Antwort", provider=flaky)
    assert result.state == "pending" and not result.delivered
    rig.clock.advance(seconds=29)
    assert delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now()).sent == 0
    rig.clock.advance(seconds=2)
    assert delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now()).sent == 1
    assert rig.phone("c7").count("Antwort") == 1


def test_a_refusal_is_not_retried_and_is_reported(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c8", "Frage")
    rig.step()
    flaky = FlakyProvider(rig.messenger, [ProviderError("forbidden", retryable=False)])
    result = rig.reply(1, "Antwort", provider=flaky)
    assert (result.state, result.error) == ("failed", "forbidden")
    rig.clock.advance(hours=1)
    delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now())
    assert flaky.attempts == 1


def test_a_refused_credential_waits_for_a_login_without_spending_attempts(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c6", "Frage")
    rig.step()
    refused = [
        Unauthorized("refused", "Run: sprechstunde login local", retryable=True, status=401)
        for _ in range(delivery.MAX_ATTEMPTS * 2)
    ]
    flaky = FlakyProvider(rig.messenger, refused)
    result = rig.reply(1, "Antwort", provider=flaky)
    assert result.state == "pending" and "refused" in (result.error or "")
    # Far more refusals than attempts, each after the pause: the reply is still waiting ...
    for _ in range(delivery.MAX_ATTEMPTS * 2 - 1):
        rig.clock.advance(seconds=delivery.AUTH_PAUSE_SECONDS - 1)
        assert delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now()).sent == 0
        rig.clock.advance(seconds=2)
        delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now())
    assert outbox.counts(rig.store, "mittwoch").get(outbox.PENDING) == 1
    assert outbox.counts(rig.store, "mittwoch").get(outbox.FAILED) is None
    # ... and goes out once the credential is accepted again.
    rig.clock.advance(seconds=delivery.AUTH_PAUSE_SECONDS + 1)
    assert delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now()).sent == 1
    assert rig.phone("c6").count("Antwort") == 1


def test_retries_are_bounded_and_jittered(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c9", "Frage")
    rig.step()
    errors = [ProviderError("timeout", retryable=True) for _ in range(20)]
    flaky = FlakyProvider(rig.messenger, errors)
    rig.reply(1, "Antwort", provider=flaky)
    for _ in range(30):
        rig.clock.advance(seconds=delivery.BACKOFF.cap + 1)
        delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now())
    assert flaky.attempts == delivery.MAX_ATTEMPTS
    assert outbox.counts(rig.store, "mittwoch").get(outbox.FAILED) == 1
    assert delivery.BACKOFF.delay(3, lambda: 0.1) == pytest.approx(0.8)
    assert delivery.BACKOFF.delay(3, lambda: 0.9) == pytest.approx(7.2)
    assert delivery.BACKOFF.delay(30, lambda: 1.0) == delivery.BACKOFF.cap


def test_a_sender_that_died_mid_send_is_resumed_without_a_double(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c10", "Frage")
    rig.step()  # greeting sent
    with rig.store.write() as conn:
        outbox.enqueue(
            rig.store,
            conn,
            "mittwoch",
            thread=1,
            chat="c10",
            purpose=Purpose.REPLY,
            body="Einmal bitte",
            key="mittwoch:reply:k1",
            now=rig.clock.now(),
        )
    (item,) = outbox.lease(rig.store, "mittwoch", rig.clock.now(), 60)
    rig.provider.send_text(item.chat, item.body, item.key)  # ...and then the process died
    assert delivery.deliver_due(rig.store, rig.provider, "mittwoch", rig.clock.now()).sent == 0
    rig.clock.advance(seconds=61)
    assert delivery.deliver_due(rig.store, rig.provider, "mittwoch", rig.clock.now()).sent == 1
    assert rig.phone("c10").count("Einmal bitte") == 1


def test_a_slow_down_holds_for_every_sender_of_the_session(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send("c20", "Frage 1")
    rig.messenger.citizen_send("c21", "Frage 2")
    rig.step()
    flaky = FlakyProvider(rig.messenger, [ProviderError("429", retryable=True, retry_after=30)])
    first = rig.reply(1, "Antwort 1", provider=flaky)
    # Another operator's reply a second later, in another process: it must wait too.
    rig.clock.advance(seconds=1)
    second = rig.reply(2, "Antwort 2", provider=flaky, operator="b")
    assert (first.state, second.state) == ("pending", "pending")
    assert flaky.attempts == 1  # the second reply did not even try
    rig.clock.advance(seconds=30)
    assert delivery.deliver_due(rig.store, flaky, "mittwoch", rig.clock.now()).sent == 2
    assert rig.phone("c20").count("Antwort 1") == 1 and rig.phone("c21").count("Antwort 2") == 1
