"""providers/http_answer.py: a body read within a size limit and a deadline, and the wait a
refusal asks for. Bodies come from tests/support/fakes/hostile.py, in memory and over a real
socket on loopback."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import httpx
import pytest

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers import http, http_answer
from tests.providers.test_http import SERVICE
from tests.support.fakes.hostile import (
    CHUNK_BYTES,
    HUGE_BYTES,
    HostileServer,
    Trick,
    gzip_bomb,
)
from tests.support.fakes.loopback import serve_on_loopback

SERVER_DATE = "Wed, 02 Dec 2026 15:00:00 GMT"
CAP = http.MAX_ANSWER_BYTES


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, request=httpx.Request("GET", "https://x.example.org/")
    )


def hostile_client(server: httpx.BaseTransport, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url="https://api.example.org", transport=server, timeout=timeout)


def ask(client: httpx.Client) -> Exception:
    with pytest.raises(http.HttpError) as caught:
        http.request(client, "GET", "/thing", "the test request", SERVICE)
    return caught.value


# --- size -----------------------------------------------------------------------------------------


def test_a_success_claiming_half_a_gigabyte_is_refused_unread() -> None:
    server = HostileServer().on(Trick.HUGE, status=200)
    err = ask(hostile_client(server))
    assert isinstance(err, http.Oversized) and err.retryable
    assert "sent a larger answer than any it should send" in err.message
    assert server.served == 0


def test_an_endless_success_is_read_up_to_the_cap_in_bounded_memory() -> None:
    server = HostileServer().on(Trick.ENDLESS, status=200)
    client = hostile_client(server)
    tracemalloc.start()
    try:
        err = ask(client)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(err, http.Oversized)
    assert CAP < server.served <= CAP + CHUNK_BYTES  # of HUGE_BYTES
    assert peak < 3 * CAP < HUGE_BYTES


@pytest.mark.parametrize("trick", [Trick.HUGE, Trick.ENDLESS])
def test_a_failure_is_read_only_as_far_as_its_error_code(trick: Trick) -> None:
    server = HostileServer().on(trick, status=503)
    err = ask(hostile_client(server))
    assert isinstance(err, http.ServerFailed)
    assert server.served <= http_answer.ERROR_BODY_BYTES + CHUNK_BYTES


def test_a_download_stops_at_its_own_limit() -> None:
    server = HostileServer().on(Trick.ENDLESS, status=200)
    with pytest.raises(Exception) as caught:
        http.download(hostile_client(server), "/file", "the file", SERVICE, max_bytes=1_000_000)
    assert "too large" in str(caught.value).lower() or "larger" in str(caught.value).lower()
    assert server.served <= 1_000_000 + CHUNK_BYTES


def peak_bytes(run: Callable[[], object]) -> int:
    """The most memory Python held at once while `run` ran (what it returned is dropped)."""
    tracemalloc.start()
    try:
        run()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_a_gzip_bomb_unpacks_only_up_to_the_cap_in_bounded_memory() -> None:
    bomb = gzip_bomb()  # built before measuring: half a megabyte that unpacks to 512 MiB
    server = HostileServer().on(Trick.GZIP_BOMB, status=200)
    client = hostile_client(server)
    caught: list[Exception] = []
    peak = peak_bytes(lambda: caught.append(ask(client)))
    (err,) = caught
    assert isinstance(err, http.Oversized) and err.retryable
    assert err.message == "Testdienst sent a larger answer than any it should send " + (
        "(the test request: over 16 MB)."
    )
    # As little as a plain answer of that size (the buffer growing to the cap, copied once as
    # it grows), where httpx alone unpacks each 64 KiB piece whole: about 64 MiB at once.
    assert peak < 3 * CAP < 64 * 1024 * 1024
    assert server.served < len(bomb) // 2  # the rest was never even fetched


def test_a_gzip_bomb_as_a_download_stops_at_its_limit_in_bounded_memory() -> None:
    gzip_bomb()
    server = HostileServer().on(Trick.GZIP_BOMB, status=200)
    client = hostile_client(server)

    def fetch() -> None:
        with pytest.raises(ProviderError) as caught:
            http.download(client, "/file", "the file", SERVICE, max_bytes=1_000_000)
        assert caught.value.message == "The file is larger than the limit of 1.0 MB."

    assert peak_bytes(fetch) < 4 * 1024 * 1024
    assert server.served <= CHUNK_BYTES


def test_a_gzip_bomb_as_a_failure_is_read_only_as_far_as_its_error_code() -> None:
    gzip_bomb()
    server = HostileServer().on(Trick.GZIP_BOMB, status=503)
    client = hostile_client(server)
    caught: list[Exception] = []
    assert peak_bytes(lambda: caught.append(ask(client))) < 2 * 1024 * 1024
    assert isinstance(caught[0], http.ServerFailed)


@pytest.mark.parametrize("status", [200, 500])
def test_a_body_that_is_no_gzip_is_a_plain_retryable_failure(status: int) -> None:
    server = HostileServer().on(Trick.BAD_GZIP, status=status)
    err = ask(hostile_client(server))
    assert type(err) is (http.Garbled if status == 200 else http.ServerFailed)
    assert isinstance(err, http.HttpError) and err.retryable
    assert err.message == (
        "Testdienst sent an answer that cannot be read (the test request)."
        if status == 200
        else "Testdienst failed on the test request (HTTP 500)."
    )


# --- time -----------------------------------------------------------------------------------------


def test_the_deadline_grows_with_the_timeout_and_the_size_allowed() -> None:
    assert http_answer.deadline(30.0) == 120.0
    assert http_answer.deadline(30.0, expected_bytes=25 * 1024 * 1024) == 400.0


@pytest.mark.parametrize("call", ["request", "download"])
def test_a_dripping_body_is_cut_off_at_the_deadline_as_a_timeout(call: str) -> None:
    server = HostileServer().on(Trick.DRIP, status=200)
    client = hostile_client(server, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(http.Unreachable) as caught:
        if call == "request":
            http.request(client, "GET", "/thing", "the sync", SERVICE)
        else:
            http.download(client, "/file", "the file", SERVICE, max_bytes=1000)
    took = time.monotonic() - started
    assert caught.value.message == "Testdienst did not answer in time (%s)." % (
        "the sync" if call == "request" else "the file"
    )
    assert caught.value.retryable
    assert 0.8 <= took < 5.0
    assert 0 < server.served < 1000


def test_a_dripping_failure_is_cut_off_too() -> None:
    server = HostileServer().on(Trick.DRIP, status=500)
    with pytest.raises(http.Unreachable):
        http.request(hostile_client(server, timeout=0.2), "GET", "/x", "the test", SERVICE)


# --- over a real socket -------------------------------------------------------------------------


def test_over_a_real_socket_a_drip_a_silence_a_flood_and_a_bomb_all_end() -> None:
    server = HostileServer()
    with serve_on_loopback(server) as base, httpx.Client(base_url=base, timeout=0.3) as client:
        server.on(Trick.DRIP, path="^/drip")
        server.on(Trick.STALL, status=200, path="^/stall")
        server.on(Trick.ENDLESS, status=200, path="^/flood")
        server.on(Trick.ECHO, status=401, path="^/echo")
        server.on(Trick.GZIP_BOMB, status=200, path="^/bomb")
        server.on(Trick.BAD_GZIP, status=200, path="^/junk")
        for path, expected in [
            ("/drip", http.Unreachable),
            ("/stall", http.Unreachable),
            ("/flood", http.Oversized),
            ("/echo", http.Unauthorized),
            ("/bomb", http.Oversized),
            ("/junk", http.Garbled),
        ]:
            started = time.monotonic()
            with pytest.raises(expected):
                http.request(client, "GET", path, "the test", SERVICE, headers={"X-Api-Key": "k"})
            assert time.monotonic() - started < 10
    # Sent before the socket closed: the cap plus what the kernel buffers, not half a gigabyte.
    assert server.served < CAP + 64 * 1024 * 1024 < HUGE_BYTES


# --- how long to wait -----------------------------------------------------------------------------


def test_retry_after_ms_in_the_body_wins_over_the_header() -> None:
    got = http_answer.retry_after(
        response(429, headers={"Retry-After": "30"}), {"retry_after_ms": 1500}
    )
    assert got == 1.5


def test_retry_after_in_seconds() -> None:
    assert http_answer.retry_after(response(429, headers={"Retry-After": "7"})) == 7.0


def test_retry_after_as_http_date_is_measured_against_the_responses_own_date() -> None:
    # Both in December 2026, far from this machine's clock: only the server's clock counts.
    headers = {"Date": SERVER_DATE, "Retry-After": "Wed, 02 Dec 2026 15:00:42 GMT"}
    assert http_answer.retry_after(response(429, headers=headers)) == 42.0


def test_retry_after_as_http_date_without_a_date_header_falls_back_to_the_default() -> None:
    headers = {"Retry-After": "Wed, 02 Dec 2026 15:00:42 GMT"}
    assert (
        http_answer.retry_after(response(429, headers=headers)) == http_answer.DEFAULT_RETRY_AFTER
    )


def test_x_ratelimit_reset_is_measured_against_date() -> None:
    headers = {"Date": SERVER_DATE, "X-RateLimit-Reset": "2026-12-02T15:01:30.000Z"}
    assert http_answer.retry_after(response(429, headers=headers)) == 90.0


def test_x_ratelimit_reset_with_an_offset() -> None:
    headers = {"Date": SERVER_DATE, "X-RateLimit-Reset": "2026-12-02T16:00:10+01:00"}
    assert http_answer.retry_after(response(429, headers=headers)) == 10.0


def test_no_hint_means_the_default_wait() -> None:
    assert http_answer.retry_after(response(429)) == http_answer.DEFAULT_RETRY_AFTER
    assert http_answer.retry_after(response(429, headers={"Retry-After": "soon"})) == (
        http_answer.DEFAULT_RETRY_AFTER
    )
    assert http_answer.DEFAULT_RETRY_AFTER > 0


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Retry-After": "99999999"}, None),
        ({}, {"retry_after_ms": 10**12}),
        ({"Date": SERVER_DATE, "Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}, None),
        ({"Date": SERVER_DATE, "X-RateLimit-Reset": "2100-01-01T00:00:00Z"}, None),
    ],
)
def test_the_wait_is_bounded(headers: dict[str, str], body: object) -> None:
    assert (
        http_answer.retry_after(response(429, headers=headers), body) == http_answer.MAX_RETRY_AFTER
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "-5"},
        {"Date": SERVER_DATE, "Retry-After": "Wed, 02 Dec 2026 14:59:00 GMT"},
        {"Date": SERVER_DATE, "X-RateLimit-Reset": "2026-12-02T14:00:00Z"},
    ],
)
def test_a_wait_in_the_past_is_zero(headers: dict[str, str]) -> None:
    assert http_answer.retry_after(response(429, headers=headers)) == 0.0


def test_a_negative_retry_after_ms_is_not_taken() -> None:
    got = http_answer.retry_after(
        response(429, headers={"Retry-After": "3"}), {"retry_after_ms": -100}
    )
    assert got == 3.0
