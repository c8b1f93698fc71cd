"""The Mastodon client against a stateful fake of the documented statuses API."""

from __future__ import annotations

import httpx
import pytest

from sprechstunde_cli.adapters.mastodon import MastodonClient
from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.system.credentials import Secret
from tests.support.fakes.mastodon import FakeMastodon

INSTANCE = "https://social.example.org"


def client(fake: FakeMastodon, token: str = "test-token") -> MastodonClient:
    transport = httpx.MockTransport(fake)
    return MastodonClient(INSTANCE, Secret(token), transport=transport, visibility="unlisted")


def test_posts_a_status_and_returns_its_id() -> None:
    fake = FakeMastodon()

    status_id = client(fake).post("Heute 16–17 Uhr: Bürgersprechstunde.", key="k1")

    assert [s["id"] for s in fake.statuses] == [status_id]
    assert fake.statuses[0]["content"] == "<p>Heute 16–17 Uhr: Bürgersprechstunde.</p>"
    assert (fake.statuses[0]["visibility"], fake.statuses[0]["language"]) == ("unlisted", "de")
    assert fake.remaining == fake.limit - 1


def test_the_same_idempotency_key_returns_the_same_status_without_a_second_post() -> None:
    fake = FakeMastodon()
    mastodon = client(fake)

    first = mastodon.post("Sprechstunde heute", key="k1")
    again = mastodon.post("Sprechstunde heute", key="k1")
    other = mastodon.post("Sprechstunde morgen", key="k2")

    assert first == again != other
    assert len(fake.statuses) == 2
    assert [r.key for r in fake.requests] == ["k1", "k1", "k2"]


def test_a_wrong_token_is_401_and_names_the_login_command() -> None:
    fake = FakeMastodon()

    with pytest.raises(ProviderError) as info:
        client(fake, token="wrong").post("Text", key="k1")

    assert "refused the access token (posting the announcement: HTTP 401)" in info.value.message
    assert info.value.hint.startswith("Run: sprechstunde login mastodon")
    # Like every HTTP adapter's 401: exit code 6; the next run tries again after a login.
    assert info.value.exit_code is ExitCode.AUTH
    assert info.value.retryable
    assert "wrong" not in info.value.message + info.value.hint
    assert fake.statuses == []


@pytest.mark.parametrize(
    ("text", "said"),
    [("   ", "Text can't be blank"), ("x" * 501, "character limit of 500 exceeded")],
)
def test_an_empty_or_too_long_status_is_422(text: str, said: str) -> None:
    fake = FakeMastodon()

    with pytest.raises(ProviderError) as info:
        client(fake).post(text, key="k1")

    assert "refused posting the announcement (HTTP 422)" in info.value.message
    # The server's own words stay out: a server may echo what it was sent, token included.
    assert said not in info.value.message
    assert "[announce.templates]" in info.value.hint
    assert not info.value.retryable
    assert fake.statuses == []


def test_rate_limit_429_is_retryable_after_retry_after() -> None:
    fake = FakeMastodon(limit=1)
    mastodon = client(fake)
    mastodon.post("eins", key="k1")

    with pytest.raises(ProviderError) as info:
        mastodon.post("zwei", key="k2")

    assert info.value.retryable
    assert info.value.retry_after == 300.0
    assert [r.status_code for r in fake.requests] == [200, 429]
    assert len(fake.statuses) == 1


def test_without_retry_after_the_reset_header_decides() -> None:
    fake = FakeMastodon(limit=0)

    def no_retry_after(request: httpx.Request) -> httpx.Response:
        response = fake(request)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "retry-after"}
        return httpx.Response(response.status_code, content=response.content, headers=headers)

    transport = httpx.MockTransport(no_retry_after)
    with pytest.raises(ProviderError) as info:
        MastodonClient(INSTANCE, Secret("test-token"), transport=transport).post("x", key="k")

    assert info.value.retry_after == 300.0  # X-RateLimit-Reset is five minutes after Date


def test_server_errors_and_unreachable_servers_are_retryable() -> None:
    fake = FakeMastodon()
    fake.fail_next(503)
    with pytest.raises(ProviderError) as info:
        client(fake).post("x", key="k1")
    assert info.value.retryable

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport = httpx.MockTransport(unreachable)
    with pytest.raises(ProviderError) as info:
        MastodonClient(INSTANCE, Secret("test-token"), transport=transport).post("x", key="k1")
    assert info.value.retryable
    assert "Cannot reach Mastodon (posting the announcement: ConnectError)" in info.value.message
