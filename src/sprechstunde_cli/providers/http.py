"""One mapping from an HTTP exchange to an error, for every HTTP adapter (WAHA, Matrix, Mastodon).

What each outcome means is decided here, once:

- no answer (refused, reset, timed out): `Unreachable`, retryable;
- 401: `Unauthorized`, the credential was refused: exit code 6 (AUTH). Retryable, because during
  the hour the operator fixes it with `sprechstunde login …` and queued work then goes out;
- 403: `Forbidden`, the account may not do this; not retryable;
- 404 and 410: `NotFound`, the thing is gone; not retryable;
- 408 and 429 (or a body that says rate-limited): `RateLimited`, retryable after `retry_after()`;
- 5xx: `ServerFailed`, retryable;
- any other 4xx: `Refused`; not retryable.

The server's own error text never goes into a message: it may quote a phone number or a room id,
and a misconfigured proxy echoes request headers, i.e. our token. A machine-readable error code
(Matrix `errcode`) is kept when it is a plain identifier.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.errors import ExitCode, ProviderError

if TYPE_CHECKING:
    import httpx

# A 429 without any hint of how long to wait still means "slow down".
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
DEFAULT_TIMEOUT = 30.0
ERROR_BODY_BYTES = 64 * 1024

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


class HttpError(ProviderError):
    """A failed HTTP exchange; `status` 0 means the server was never reached."""

    def __init__(
        self,
        message: str,
        hint: str,
        *,
        status: int = 0,
        code: str = "",
        retryable: bool = False,
        retry_after: float = 0.0,
    ) -> None:
        super().__init__(message, hint, retryable=retryable, retry_after=retry_after)
        self.status = status
        self.code = code


class Unreachable(HttpError):
    """No answer: connection refused or reset, a timeout, a broken download."""


class Unauthorized(HttpError):
    """The server refused our credential."""

    exit_code = ExitCode.AUTH


class Forbidden(HttpError):
    """The account is known but may not do this."""


class NotFound(HttpError):
    """There is no such thing (any more)."""


class RateLimited(HttpError):
    """The server asked us to slow down; `retry_after` says for how long."""


class ServerFailed(HttpError):
    """The server answered with a 5xx."""


class Refused(HttpError):
    """Any other 4xx: the server understood and said no."""


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
    """A machine-readable error code from the body (Matrix `errcode`), if it is an identifier."""
    code = body.get("errcode") if isinstance(body, dict) else None
    return code if isinstance(code, str) and _CODE.fullmatch(code) else ""


def error_for(response: httpx.Response, what: str, service: Service) -> HttpError:
    """The error for a response with status ≥ 400; `what` names the request ("the sync")."""
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
    return Refused(f"{service.name} refused {what} ({label}).", service.refused_hint, **keys)


def unreachable(exc: httpx.TransportError, what: str, service: Service) -> Unreachable:
    """The error for a request that got no answer; names only the exception's type, since its
    text can quote the URL (with an id, or a key in a query)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        message = f"{service.name} did not answer in time ({what})."
    else:
        message = f"Cannot reach {service.name} ({what}: {type(exc).__name__})."
    return Unreachable(message, service.network_hint, retryable=True)


def retry_after(response: httpx.Response, body: object = None) -> float:
    """Seconds to wait before asking again, bounded, from the first source the server gave:

    1. `retry_after_ms` in a JSON body (Matrix, precise);
    2. `Retry-After`: delay-seconds, or an HTTP-date measured against the response's own `Date`
       (the server's clock on both sides, so local clock skew never enters);
    3. `X-RateLimit-Reset`, an ISO time, against `Date` (Mastodon);
    4. otherwise DEFAULT_RETRY_AFTER.
    """
    millis = body.get("retry_after_ms") if isinstance(body, dict) else None
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis >= 0:
        return min(MAX_RETRY_AFTER, millis / 1000)
    headers = response.headers
    server_now = _http_date(headers.get("Date"))
    value = (headers.get("Retry-After") or "").strip()
    wait: float | None = None
    if value:
        try:
            wait = float(value)
        except ValueError:
            until = _http_date(value)
            if until is not None and server_now is not None:
                wait = (until - server_now).total_seconds()
    elif headers.get("X-RateLimit-Reset") and server_now is not None:
        try:
            reset = datetime.fromisoformat(headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
            wait = (reset.astimezone(UTC) - server_now).total_seconds()
        except ValueError:
            wait = None
    if wait is None:
        return DEFAULT_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.0, wait))


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    """Send one request; return the response if its status is below 400, else raise."""
    import httpx

    try:
        response = client.request(
            method,
            path,
            params=params,
            json=json,
            data=data,
            content=content,
            headers=headers,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
    except httpx.TransportError as exc:
        raise unreachable(exc, what, service) from None
    if response.status_code >= 400:
        raise _failure(response, what, service, refine)
    return response


def _head_of(response: httpx.Response) -> httpx.Response:
    """A failed streamed answer with at most ERROR_BODY_BYTES of its body: enough to read an
    error code, never a whole file the server sends instead."""
    import httpx

    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= ERROR_BODY_BYTES:
            break
    # The body is decoded already; its framing headers no longer describe it.
    framing = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in framing]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=bytes(body[:ERROR_BODY_BYTES]),
        request=response.request,
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
    own unless given)."""
    import httpx

    from sprechstunde_cli.providers.base import media_too_large

    data = bytearray()
    wait = timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
    try:
        with client.stream("GET", path, timeout=wait) as response:
            if response.status_code >= 400:
                raise _failure(_head_of(response), what, service, refine)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise media_too_large(max_bytes)
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise media_too_large(max_bytes)
    except httpx.TransportError as exc:
        raise unreachable(exc, what, service) from None
    return bytes(data)
