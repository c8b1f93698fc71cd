"""providers/http.py: the one meaning of an HTTP failure, for WAHA, Matrix and Mastodon alike."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sprechstunde_cli.adapters.mastodon import MastodonClient
from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.matrix.client import http_client as matrix_http_client
from sprechstunde_cli.providers.waha.client import WahaApi
from sprechstunde_cli.system.credentials import Secret

SERVICE = http.Service(
    name="Testdienst",
    login_hint="Run: sprechstunde login testdienst",
    network_hint="Start the test service.",
    forbidden_hint="Give the account the right.",
    refused_hint="Check the request.",
)
BASE = "https://api.example.org"
# What a misconfigured proxy or a chatty server puts into an error body.
SECRET_TOKEN = "sk-secret-token"
PHONE = "+49 000 0000001"
ECHOING_BODY = {"error": f"Authorization: Bearer {SECRET_TOKEN}", "message": f"chat {PHONE}"}

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler) -> httpx.Client:
    return httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler))


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handle


def failure(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Exception:
    """The exception `http.request` raises for one answer."""
    with client_for(answer(status, body, headers)) as client, pytest.raises(Exception) as caught:
        http.request(client, "GET", "/thing", "the test request", SERVICE)
    return caught.value


def response(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request("GET", f"{BASE}/thing")
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


# --- no answer ----------------------------------------------------------------------------------


def test_a_refused_connection_is_unreachable_retryable_and_names_only_the_exception_type() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"Connection refused: {request.url}", request=request)

    with client_for(refuse) as client, pytest.raises(http.Unreachable) as caught:
        http.request(
            client, "GET", "/api/sessions", "the check", SERVICE, params={"key": SECRET_TOKEN}
        )
    err = caught.value
    assert err.retryable
    assert err.status == 0
    assert err.exit_code is ExitCode.PROVIDER
    assert "ConnectError" in err.message
    assert err.hint == SERVICE.network_hint
    for leak in (SECRET_TOKEN, "api.example.org", "/api/sessions", "key="):
        assert leak not in err.message
        assert leak not in err.hint


def test_a_timeout_is_unreachable_and_says_so_without_the_url() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out reading {request.url}", request=request)

    with client_for(hang) as client, pytest.raises(http.Unreachable) as caught:
        http.request(client, "GET", f"/thing?token={SECRET_TOKEN}", "the sync", SERVICE)
    assert caught.value.retryable
    assert "did not answer in time" in caught.value.message
    assert SECRET_TOKEN not in caught.value.message
    assert "api.example.org" not in caught.value.message


def test_a_success_is_returned_as_it_came() -> None:
    with client_for(answer(200, {"ok": True})) as client:
        got = http.request(client, "GET", "/thing", "the test request", SERVICE)
    assert got.status_code == 200
    assert got.json() == {"ok": True}


# --- an answer that cannot be read -------------------------------------------------------------


def packed(status: int, body: bytes, encoding: str = "gzip") -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        # Streamed, as from a socket (a whole `content=` would be unpacked by httpx at once).
        return httpx.Response(status, headers={"Content-Encoding": encoding}, content=iter([body]))

    return handle


JUNK = f"Authorization: Bearer {SECRET_TOKEN}".encode()  # no gzip header
READABLE = gzip.compress(b'{"ok": true}')


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (JUNK, "gzip"),
        (JUNK, "deflate"),
        (READABLE[:-12], "gzip"),  # cut short: the last block and the trailer are missing
        (READABLE, "br"),  # an encoding we neither asked for nor unpack
        (READABLE, "gzip, gzip"),  # two layers: a bomb inside a bomb
    ],
    ids=["junk-gzip", "junk-deflate", "cut-short", "brotli", "two-layers"],
)
def test_a_success_that_cannot_be_unpacked_is_a_retryable_server_failure(
    body: bytes, encoding: str
) -> None:
    with client_for(packed(200, body, encoding)) as client:
        for call in (
            lambda: http.request(client, "GET", "/thing", "the sync", SERVICE),
            lambda: http.download(client, "/file", "the sync", SERVICE, max_bytes=1000),
        ):
            with pytest.raises(http.Garbled) as caught:
                call()
            err = caught.value
            assert err.message == "Testdienst sent an answer that cannot be read (the sync)."
            assert err.hint == SERVICE.server_hint
            assert err.retryable and err.exit_code is ExitCode.PROVIDER


@pytest.mark.parametrize(
    ("status", "expected", "message"),
    [
        (401, http.Unauthorized, "Testdienst refused the access token (the sync: HTTP 401)."),
        (404, http.NotFound, "Testdienst has nothing there (the sync: HTTP 404)."),
        (500, http.ServerFailed, "Testdienst failed on the sync (HTTP 500)."),
    ],
)
def test_a_failure_whose_body_cannot_be_unpacked_still_means_its_status(
    status: int, expected: type[http.HttpError], message: str
) -> None:
    with client_for(packed(status, JUNK)) as client, pytest.raises(expected) as caught:
        http.request(client, "GET", "/thing", "the sync", SERVICE)
    assert caught.value.message == message


def test_a_compressed_answer_nobody_asked_for_is_still_read() -> None:
    # Servers may ignore `Accept-Encoding: identity`; an honest answer stays readable.
    with client_for(packed(200, READABLE)) as client:
        got = http.request(client, "GET", "/thing", "the sync", SERVICE)
        assert got.json() == {"ok": True}
        assert "Content-Encoding" not in got.headers  # it describes the body no more
        assert http.download(client, "/f", "the file", SERVICE, max_bytes=12) == b'{"ok": true}'


def test_a_compressed_error_body_is_unpacked_for_its_errcode() -> None:
    body = gzip.compress(b'{"errcode": "M_FORBIDDEN"}')
    with client_for(packed(403, body)) as client, pytest.raises(http.Forbidden) as caught:
        http.request(client, "GET", "/thing", "the sync", SERVICE)
    assert caught.value.code == "M_FORBIDDEN"


def test_too_many_redirects_is_refused_and_not_retried() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        raise httpx.TooManyRedirects(f"Exceeded redirects: {request.url}", request=request)

    with client_for(loop) as client, pytest.raises(http.Refused) as caught:
        http.request(client, "GET", f"/thing?token={SECRET_TOKEN}", "the sync", SERVICE)
    err = caught.value
    assert err.message == "Testdienst did not answer the sync itself (TooManyRedirects)."
    assert err.hint == SERVICE.network_hint
    assert not err.retryable


def test_the_client_asks_for_answers_uncompressed_and_follows_no_redirect() -> None:
    # Every adapter builds its client here; tests/providers/test_hostile_servers.py checks that
    # each one's requests arrive asking for `identity`.
    seen: list[str] = []

    def moved(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Accept-Encoding", ""))
        return httpx.Response(302, headers={"Location": "https://evil.example.org/"})

    transport = httpx.MockTransport(moved)
    headers = {"Accept": "application/json"}
    with http.make_client(BASE, timeout=5.0, transport=transport, headers=headers) as client:
        with pytest.raises(http.Refused) as caught:
            http.request(client, "GET", "/thing", "the sync", SERVICE)
        assert client.headers["Accept"] == "application/json"
    assert seen == ["identity"]  # one request: the redirect was not followed
    # A redirect is no answer: it is named as what it is, with where to look.
    assert caught.value.message == "Testdienst sent us to another address (the sync: HTTP 302)."
    assert "server's address in the config" in caught.value.hint
    assert not caught.value.retryable


def test_a_redirected_download_is_refused_not_saved() -> None:
    with client_for(answer(301, "Moved")) as client, pytest.raises(http.Refused):
        http.download(client, "/f", "the file", SERVICE, max_bytes=100)


# --- the decided meanings -----------------------------------------------------------------------


def test_401_is_unauthorized_with_the_auth_exit_code_retryable_and_the_login_hint() -> None:
    err = failure(401, ECHOING_BODY)
    assert type(err) is http.Unauthorized
    assert err.exit_code is ExitCode.AUTH
    assert int(err.exit_code) == 6
    assert err.retryable
    assert err.hint == SERVICE.login_hint
    assert err.status == 401
    assert "HTTP 401" in err.message


def test_403_is_forbidden_and_not_retryable() -> None:
    err = failure(403, ECHOING_BODY)
    assert type(err) is http.Forbidden
    assert not err.retryable
    assert err.exit_code is ExitCode.PROVIDER
    assert err.hint == SERVICE.forbidden_hint


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_not_found_and_not_retryable(status: int) -> None:
    err = failure(status)
    assert type(err) is http.NotFound
    assert not err.retryable
    assert err.status == status


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_are_rate_limited_retryable_with_the_wait(status: int) -> None:
    err = failure(status, None, {"Retry-After": "12"})
    assert type(err) is http.RateLimited
    assert err.retryable
    assert err.retry_after == 12.0
    assert "12.0 s" in err.message


def test_a_rate_limit_errcode_in_the_body_is_rate_limited_whatever_the_status() -> None:
    err = failure(400, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2500})
    assert type(err) is http.RateLimited
    assert err.retryable
    assert err.retry_after == 2.5
    assert err.code == "M_LIMIT_EXCEEDED"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_server_failed_and_retryable(status: int) -> None:
    err = failure(status, ECHOING_BODY)
    assert type(err) is http.ServerFailed
    assert err.retryable
    assert err.hint == SERVICE.server_hint


@pytest.mark.parametrize("status", [400, 405, 409, 413, 422])
def test_any_other_4xx_is_refused_and_not_retryable(status: int) -> None:
    err = failure(status, ECHOING_BODY)
    assert type(err) is http.Refused
    assert not err.retryable
    assert err.hint == SERVICE.refused_hint


def test_every_http_error_is_a_provider_error() -> None:
    for status in (400, 401, 403, 404, 429, 503):
        assert isinstance(failure(status), ProviderError)


# --- the server's text never reaches the operator --------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 408, 410, 422, 429, 500, 503])
def test_the_servers_error_text_never_appears_in_message_or_hint(status: int) -> None:
    err = failure(status, ECHOING_BODY)
    assert isinstance(err, http.HttpError)
    for text in (err.message, err.hint, str(err)):
        assert SECRET_TOKEN not in text
        assert "Bearer" not in text
        assert "0000001" not in text
    assert err.code == ""


def test_a_plain_errcode_is_kept() -> None:
    err = failure(403, {"errcode": "M_FORBIDDEN", "error": f"Bearer {SECRET_TOKEN}"})
    assert isinstance(err, http.Forbidden)
    assert err.code == "M_FORBIDDEN"
    assert "M_FORBIDDEN" in err.message
    assert SECRET_TOKEN not in err.message


@pytest.mark.parametrize(
    "errcode",
    [
        f"Authorization: Bearer {SECRET_TOKEN}",
        "M_FORBIDDEN because of chat 490000000001",
        "M_FORBIDDEN\nHint: run rm -rf",
        "M_FORBIDDEN\x1b[31m",
        "M_FORBIDDEN\r",
        "",
    ],
)
def test_an_errcode_with_spaces_or_control_characters_is_dropped(errcode: str) -> None:
    err = failure(403, {"errcode": errcode})
    assert isinstance(err, http.Forbidden)
    assert err.code == ""
    assert err.message == "Testdienst forbade the test request (HTTP 403)."


def test_an_errcode_that_is_not_a_string_is_dropped() -> None:
    assert http.error_code({"errcode": 42}) == ""
    assert http.error_code(["M_FORBIDDEN"]) == ""
    assert http.error_code({"errcode": "M_UNKNOWN_TOKEN"}) == "M_UNKNOWN_TOKEN"


def test_a_body_that_is_not_json_is_ignored() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=f"<html>Bearer {SECRET_TOKEN}</html>")

    with client_for(html) as client, pytest.raises(http.ServerFailed) as caught:
        http.request(client, "GET", "/thing", "the test request", SERVICE)
    assert SECRET_TOKEN not in caught.value.message
    assert caught.value.code == ""


# --- downloads --------------------------------------------------------------------------------


def test_download_returns_the_file_within_the_limit() -> None:
    def file(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"0123456789")

    with client_for(file) as client:
        got = http.download(client, "/media/1", "the photo", SERVICE, max_bytes=10)
    assert got == b"0123456789"


def test_download_stops_as_soon_as_the_file_grows_past_the_limit() -> None:
    pulled: list[int] = []

    def endless() -> Iterator[bytes]:
        for n in range(10_000):
            pulled.append(n)
            yield b"x" * 10

    def file(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())  # chunked: no Content-Length

    with client_for(file) as client, pytest.raises(ProviderError) as caught:
        http.download(client, "/media/1", "the photo", SERVICE, max_bytes=100)
    assert "larger than the limit of 0.000 MB" in caught.value.message  # 100 bytes
    assert not caught.value.retryable
    assert len(pulled) <= 12  # 11 chunks of 10 bytes pass the limit; nothing much after


def test_download_refuses_a_too_large_content_length_before_reading() -> None:
    pulled: list[int] = []

    def body() -> Iterator[bytes]:
        pulled.append(1)
        yield b"x" * 5000

    def file(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "5000"}, content=body())

    with client_for(file) as client, pytest.raises(ProviderError) as caught:
        http.download(client, "/media/1", "the photo", SERVICE, max_bytes=100)
    assert "(0.005 MB) is larger than the limit of 0.000 MB" in caught.value.message
    assert pulled == []


def test_download_maps_a_failure_like_any_request() -> None:
    with client_for(answer(410, ECHOING_BODY)) as client, pytest.raises(http.NotFound) as caught:
        http.download(client, "/media/1", "the photo", SERVICE, max_bytes=100)
    assert SECRET_TOKEN not in caught.value.message


def test_download_without_an_answer_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {request.url}", request=request)

    with client_for(refuse) as client, pytest.raises(http.Unreachable) as caught:
        http.download(client, f"/media/1?access_token={SECRET_TOKEN}", "the photo", SERVICE, 100)
    assert SECRET_TOKEN not in caught.value.message
    assert caught.value.retryable


# --- the three adapters agree -----------------------------------------------------------------


def waha_call(handler: Handler) -> None:
    client = httpx.Client(base_url="http://127.0.0.1:3000", transport=httpx.MockTransport(handler))
    with client:
        WahaApi(client, "default", "WEBJS").request("GET", "/api/sessions/default", "the check")


def matrix_call(handler: Handler) -> None:
    client = matrix_http_client(
        "https://matrix.example.org", Secret("test-token"), httpx.MockTransport(handler)
    )
    with client:
        MatrixApi(client).call("GET", "/_matrix/client/v3/account/whoami", "the check")


def mastodon_call(handler: Handler) -> None:
    mastodon = MastodonClient(
        "https://social.example.org", Secret("test-token"), transport=httpx.MockTransport(handler)
    )
    try:
        mastodon.post("Sprechstunde am Mittwoch", key="mittwoch:week")
    finally:
        mastodon.close()


ADAPTERS = {"waha": waha_call, "matrix": matrix_call, "mastodon": mastodon_call}


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (401, {}, (http.Unauthorized, ExitCode.AUTH, True, 0.0)),
        (403, {}, (http.Forbidden, ExitCode.PROVIDER, False, 0.0)),
        (429, {"Retry-After": "7"}, (http.RateLimited, ExitCode.PROVIDER, True, 7.0)),
        (503, {}, (http.ServerFailed, ExitCode.PROVIDER, True, 0.0)),
    ],
    ids=["401", "403", "429", "503"],
)
def test_waha_matrix_and_mastodon_mean_the_same_by_each_status(
    status: int, headers: dict[str, str], expected: tuple[object, ...]
) -> None:
    outcomes = {}
    for name, call in ADAPTERS.items():
        with pytest.raises(ProviderError) as caught:
            call(answer(status, ECHOING_BODY, headers))
        err = caught.value
        outcomes[name] = (type(err), err.exit_code, err.retryable, err.retry_after)
        assert SECRET_TOKEN not in err.message and SECRET_TOKEN not in err.hint
        assert "0000001" not in err.message
    assert outcomes == {name: expected for name in ADAPTERS}


def test_a_failed_download_reads_only_the_head_of_its_body() -> None:
    sent: list[int] = []

    def stream() -> Iterator[bytes]:
        # An error page the size of a file: only its head is read to map the error.
        yield b'{"errcode": "M_NOT_FOUND"}'
        for _ in range(1000):
            sent.append(1)
            yield b" " * 8192

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=stream(), headers={"Content-Encoding": "identity"})

    client = httpx.Client(
        base_url="https://matrix.example.org", transport=httpx.MockTransport(handler)
    )
    with pytest.raises(http.NotFound) as caught:
        http.download(client, "/file", "the download", SERVICE, max_bytes=10)
    assert caught.value.code == "M_NOT_FOUND"
    assert len(sent) < 20
