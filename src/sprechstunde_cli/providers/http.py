"""One mapping from an HTTP exchange to an error, for every HTTP adapter (WAHA, Matrix, Mastodon).

What each outcome means is decided here, once:

- no answer (refused, reset, timed out): `Unreachable`, retryable;
- an answer that cannot be read (a body that does not unpack): `Garbled`, retryable;
- any other failed exchange (too many redirects), or a redirect (3xx, never followed: it would
  carry our credential elsewhere): `Refused`, not retryable;
- 401: `Unauthorized`, the credential was refused: exit code 6 (AUTH). Retryable, because during
  the hour the operator fixes it with `sprechstunde login …` and queued work then goes out;
- 403: `Forbidden`, the account may not do this; not retryable;
- 404 and 410: `NotFound`, the thing is gone; not retryable;
- 408 and 429 (or a body that says rate-limited): `RateLimited`, retryable after the wait it
  asks for (`http_answer.retry_after`);
- 5xx: `ServerFailed`, retryable;
- any other 4xx: `Refused`; not retryable.

The server's own error text never goes into a message: it may quote a phone number or a room id,
and a misconfigured proxy echoes request headers, i.e. our token. A machine-readable error code
(Matrix `errcode`) is kept when it is a plain identifier that is none of our secrets, and every
message is redacted (system/redact.py) all the same. Answers are read within a size limit and a
deadline (providers/http_answer.py). Every client is built by `make_client`: no redirects,
answers uncompressed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers import http_answer
from sprechstunde_cli.providers.http_answer import retry_after
from sprechstunde_cli.providers.http_errors import (
    Forbidden,
    Garbled,
    HttpError,
    NotFound,
    Oversized,
    RateLimited,
    Refused,
    ServerFailed,
    Unauthorized,
    Unreachable,
)
from sprechstunde_cli.system.redact import redact

if TYPE_CHECKING:
    import httpx

# Re-exported: the errors live in http_errors.py, and callers name them as `http.NotFound` ….
__all__ = [
    "Forbidden",
    "Garbled",
    "HttpError",
    "NotFound",
    "Oversized",
    "RateLimited",
    "Refused",
    "ServerFailed",
    "Unauthorized",
    "Unreachable",
]

DEFAULT_TIMEOUT = 30.0
# The largest answer any request expects (a Matrix sync of an office account is far smaller);
# files go through `download` with their own limit.
MAX_ANSWER_BYTES = 16 * 1024 * 1024

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
_RATE_LIMIT_CODES = frozenset({"M_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class Service:
    """Who answered, in words for the operator, and the fix for each kind of failure."""

    name: str  # "WAHA", "the Matrix homeserver", "Mastodon"
    login_hint: str  # 401
    network_hint: str  # no answer at all
    forbidden_hint: str  # 403
    refused_hint: str  # any other 4xx
    server_hint: str = "It is retried by itself; if it persists, check the server's log."
    rate_hint: str = "Nothing to do: it is retried after the wait the server asked for."
    credential: str = "access token"  # what a 401 refused, in the service's own words


# A service's own reading of a failed response, before the shared meaning applies: it gets the
# response, the shared error and `what`, and returns the error to raise (often the same one).
Refine = Callable[["httpx.Response", HttpError, str], ProviderError]


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON answer, or None when there is none or it is not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def error_code(body: object) -> str:
    """A machine-readable error code from the body (Matrix `errcode`), if it is an identifier
    and not one of our secrets echoed back (a token can look like an identifier)."""
    code = body.get("errcode") if isinstance(body, dict) else None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return ""
    return code if redact(code) == code else ""


def error_for(response: httpx.Response, what: str, service: Service) -> HttpError:
    """The error for a response that is no success (3xx, 4xx, 5xx); `what` names the request
    ("the sync")."""
    status = response.status_code
    body = json_body(response)
    code = error_code(body)
    label = f"HTTP {status}" + (f" {code}" if code else "")
    keys: dict[str, Any] = {"status": status, "code": code}
    if status in (408, 429) or code in _RATE_LIMIT_CODES:
        wait = retry_after(response, body)
        return RateLimited(
            f"{service.name} asks us to slow down ({what}: {label}); retry in {wait:.1f} s.",
            service.rate_hint,
            retryable=True,
            retry_after=wait,
            **keys,
        )
    if status == 401:
        return Unauthorized(
            f"{service.name} refused the {service.credential} ({what}: {label}).",
            service.login_hint,
            retryable=True,
            **keys,
        )
    if status == 403:
        return Forbidden(
            f"{service.name} forbade {what} ({label}).", service.forbidden_hint, **keys
        )
    if status in (404, 410):
        return NotFound(
            f"{service.name} has nothing there ({what}: {label}).",
            "It was deleted or has expired.",
            **keys,
        )
    if status >= 500:
        return ServerFailed(
            f"{service.name} failed on {what} ({label}).",
            service.server_hint,
            retryable=True,
            **keys,
        )
    if status < 400:
        # make_client follows no redirect: one would carry our credential to another address.
        return Refused(
            f"{service.name} sent us to another address ({what}: {label}).",
            "Check the server's address in the config: https:// and the full path, exactly as "
            "the server's administrator gives it.",
            **keys,
        )
    return Refused(f"{service.name} refused {what} ({label}).", service.refused_hint, **keys)


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


def failed_exchange(exc: httpx.RequestError, what: str, service: Service) -> HttpError:
    """The error for an exchange that brought no usable answer; names only the exception's
    type, since its text can quote the URL (with an id, or a key in a query)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        message = f"{service.name} did not answer in time ({what})."
    elif isinstance(exc, httpx.TransportError):
        message = f"Cannot reach {service.name} ({what}: {type(exc).__name__})."
    elif isinstance(exc, httpx.DecodingError):
        return Garbled(
            f"{service.name} sent an answer that cannot be read ({what}).",
            service.server_hint,
            retryable=True,
        )
    else:  # TooManyRedirects, and whatever httpx adds: asking again would end the same way
        return Refused(
            f"{service.name} did not answer {what} itself ({type(exc).__name__}).",
            service.network_hint,
        )
    return Unreachable(message, service.network_hint, retryable=True)


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
    """Send one request; return the response if its status is below 400, else raise.

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
        f"{service.name} sent a larger answer than any it should send ({what}: over "
        f"{MAX_ANSWER_BYTES // (1024 * 1024)} MB).",
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

    from sprechstunde_cli.providers.base import media_too_large

    wait = timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
    seconds = http_answer.deadline(_timeout(client, timeout), expected_bytes=max_bytes)
    try:
        with client.stream("GET", path, timeout=wait) as response:
            if not response.is_success:  # redirects too: the clients do not follow them
                raise _failure(http_answer.head(response, seconds), what, service, refine)
            if http_answer.declared(response) > max_bytes:
                raise media_too_large(max_bytes)
            data = http_answer.read(response, max_bytes, seconds)
    except httpx.RequestError as exc:
        raise failed_exchange(exc, what, service) from None
    if data is None:
        raise media_too_large(max_bytes)
    return data
