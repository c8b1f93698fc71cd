"""The one HTTP exchange every adapter (WAHA, Matrix, Mastodon) goes through: the client
(`make_client`: no redirects, answers uncompressed), `request` and `download`, each read within
bounds (providers/http_answer.py). What each failed outcome means is decided once in
providers/http_errors.py, re-exported here: callers write `http.NotFound`, `http.Service`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http_answer
from sprechstunde_cli.providers.http_errors import (
    Forbidden,
    Garbled,
    HttpError,
    NotFound,
    Oversized,
    RateLimited,
    Refused,
    ServerFailed,
    Service,
    Unauthorized,
    Unreachable,
    error_code,
    error_for,
    failed_exchange,
    json_body,
)

if TYPE_CHECKING:
    import httpx

# Re-exported: the errors and their mapping live in http_errors.py; callers write `http.…`.
__all__ = [
    "Forbidden",
    "Garbled",
    "HttpError",
    "NotFound",
    "Oversized",
    "RateLimited",
    "Refused",
    "ServerFailed",
    "Service",
    "Unauthorized",
    "Unreachable",
    "error_code",
    "error_for",
    "failed_exchange",
    "json_body",
]

DEFAULT_TIMEOUT = 30.0
# The largest answer any request expects (a Matrix sync of an office account is far smaller);
# files go through `download` with their own limit.
MAX_ANSWER_BYTES = 16 * 1024 * 1024

# A service's own reading of a failed response, before the shared meaning applies: it gets the
# response, the shared error and `what`, and returns the error to raise (often the same one).
Refine = Callable[["httpx.Response", HttpError, str], ProviderError]


def make_client(
    base_url: str,
    *,
    timeout: float | httpx.Timeout,
    transport: httpx.BaseTransport | None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Client:
    """The client every HTTP adapter talks through. It follows no redirect (one could carry
    the credential to another host) and asks for answers uncompressed, so a size limit holds
    for what a body unpacks to (providers/http_answer.py)."""
    import httpx

    return httpx.Client(
        base_url=base_url,
        headers={**(headers or {}), "Accept-Encoding": http_answer.ACCEPT_ENCODING},
        timeout=timeout,
        transport=transport,
        follow_redirects=False,
    )


def request(
    client: httpx.Client,
    method: str,
    path: str,
    what: str,
    service: Service,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    refine: Refine | None = None,
) -> httpx.Response:
    """Send one request; return the response if it is a success (2xx), else raise.

    The answer is streamed and read only up to MAX_ANSWER_BYTES (a failure's up to
    ERROR_BODY_BYTES), within a deadline (providers/http_answer.py): a hostile or broken server
    can neither fill the memory nor hold the hour up by dripping bytes."""
    import httpx

    wait = timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
    seconds = http_answer.deadline(_timeout(client, timeout))
    try:
        with client.stream(
            method,
            path,
            params=params,
            json=json,
            data=data,
            content=content,
            headers=headers,
            timeout=wait,
        ) as response:
            if not response.is_success:  # redirects too: the clients do not follow them
                raise _failure(http_answer.head(response, seconds), what, service, refine)
            if http_answer.declared(response) > MAX_ANSWER_BYTES:
                raise oversized(response, what, service)
            whole = http_answer.whole(response, MAX_ANSWER_BYTES, seconds)
            if whole is None:
                raise oversized(response, what, service)
            return whole
    except httpx.RequestError as exc:
        raise failed_exchange(exc, what, service) from None


def _timeout(client: httpx.Client, timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    return client.timeout.read if client.timeout.read is not None else DEFAULT_TIMEOUT


def oversized(response: httpx.Response, what: str, service: Service) -> Oversized:
    return Oversized(
        _("{name} sent a larger answer than any it should send ({what}: over {value} MB).").format(
            name=service.name, what=what, value=MAX_ANSWER_BYTES // (1024 * 1024)
        ),
        service.server_hint,
        status=response.status_code,
        retryable=True,
    )


def _failure(
    response: httpx.Response, what: str, service: Service, refine: Refine | None
) -> ProviderError:
    err = error_for(response, what, service)
    return refine(response, err, what) if refine is not None else err


def download(
    client: httpx.Client,
    path: str,
    what: str,
    service: Service,
    max_bytes: int,
    *,
    refine: Refine | None = None,
    timeout: float | None = None,
) -> bytes:
    """Stream a file, stopping as soon as it grows past `max_bytes` (`timeout`: the client's
    own unless given; the whole file may take longer, see providers/http_answer.py)."""
    import httpx

    from sprechstunde_cli.providers.base.media import media_too_large

    wait = timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
    seconds = http_answer.deadline(_timeout(client, timeout), expected_bytes=max_bytes)
    try:
        with client.stream("GET", path, timeout=wait) as response:
            if not response.is_success:  # redirects too: the clients do not follow them
                raise _failure(http_answer.head(response, seconds), what, service, refine)
            declared = http_answer.declared(response)
            if declared > max_bytes:
                raise media_too_large(max_bytes, declared)
            data = http_answer.read(response, max_bytes, seconds)
    except httpx.RequestError as exc:
        raise failed_exchange(exc, what, service) from None
    if data is None:
        raise media_too_large(max_bytes)
    return data
