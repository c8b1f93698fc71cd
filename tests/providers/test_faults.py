"""The HTTP layer of the fault injector, and how each provider reads what it injects.

A 429's `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Every
provider must wait at least as long as asked in both forms.
"""

from __future__ import annotations

import email.utils
from collections import Counter

import httpx
import pytest

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.waha.client import WahaApi
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.fault_transport import FaultyTransport
from tests.support.faults import Faults, Kind, Plan, seed_for_run

ASKED = 90  # longer than any provider's fallback, so a guess cannot pass for reading it


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "sessions": []}, request=request)


def test_every_fault_kind_reaches_the_client_as_http_would_show_it() -> None:
    clock = FakeClock(IN_THE_HOUR)
    faults = Faults(seed_for_run(), Plan(rate=0.6), lambda: clock.now().timestamp())
    served = 0

    def counting(request: httpx.Request) -> httpx.Response:
        nonlocal served
        served += 1
        return ok(request)

    transport = FaultyTransport(httpx.MockTransport(counting), faults)
    seen: Counter[str] = Counter()
    with httpx.Client(base_url="http://127.0.0.1:9", transport=transport) as client:
        for n in range(400):
            clock.advance(seconds=30)  # never inside a 429's wait: that is tested elsewhere
            try:
                response = client.post("/api/sendText", json={"n": n})
            except httpx.TransportError as exc:
                seen[type(exc).__name__] += 1
                continue
            seen[str(response.status_code)] += 1
            if response.status_code == 429:
                assert response.headers["Date"] and response.headers["Retry-After"]
    assert {"ConnectError", "ConnectTimeout", "ReadTimeout", "ReadError", "429"} <= set(seen)
    assert seen["502"] + seen["503"] + seen["504"] > 0
    assert transport.date_form > 0 and transport.seconds_form > 0
    # A fault after the server did the work still reached the server.
    assert served == seen["200"] + faults.count(after=True)
    assert faults.early_retries == []


def rate_limited(date_form: bool) -> tuple[FaultyTransport, FakeClock]:
    clock = FakeClock(IN_THE_HOUR)
    plan = Plan(rate=1.0, kinds=(Kind.RATE_LIMIT,), retry_after=(ASKED, ASKED))
    faults = Faults(1, plan, lambda: clock.now().timestamp())

    def matrix_body(_wait: float) -> dict[str, str]:
        return {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}

    transport = FaultyTransport(
        httpx.MockTransport(ok),
        faults,
        body_429=matrix_body,
        date_share=1.0 if date_form else 0.0,
    )
    return transport, clock


def test_the_http_date_form_asks_for_exactly_the_same_wait() -> None:
    transport, _ = rate_limited(date_form=True)
    with httpx.Client(base_url="http://127.0.0.1:9", transport=transport) as client:
        response = client.get("/x")
    asked = email.utils.parsedate_to_datetime(response.headers["Retry-After"])
    date = email.utils.parsedate_to_datetime(response.headers["Date"])
    assert (asked - date).total_seconds() == ASKED


@pytest.mark.parametrize("date_form", [False, True], ids=["seconds", "http-date"])
def test_waha_waits_as_long_as_asked_in_both_forms(date_form: bool) -> None:
    transport, _ = rate_limited(date_form)
    client = httpx.Client(base_url="http://127.0.0.1:3000", transport=transport)
    with pytest.raises(ProviderError) as err:
        WahaApi(client, "default", "WEBJS").request("GET", "/api/sessions", "list sessions")
    client.close()
    assert err.value.retryable
    assert err.value.retry_after >= ASKED


@pytest.mark.parametrize(
    "date_form",
    [False, True],
    ids=["seconds", "http-date"],
)
def test_matrix_waits_as_long_as_asked_in_both_forms(date_form: bool) -> None:
    transport, _ = rate_limited(date_form)
    client = httpx.Client(base_url="http://127.0.0.1:8008", transport=transport)
    with pytest.raises(ProviderError) as err:
        MatrixApi(client).call("GET", "/_matrix/client/v3/account/whoami", "check the token")
    client.close()
    assert err.value.retryable
    assert err.value.retry_after >= ASKED
