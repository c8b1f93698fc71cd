"""The Matrix client-server API over one injected httpx.Client: requests and their errors.

Every failure becomes a `MatrixError` (a ProviderError) that separates "could not reach"
(retryable) from "the server said no". Messages name the HTTP status and Matrix errcode only:
a server's own error text can quote paths with room, event or media ids.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.retry_after import retry_after_seconds

CLIENT = "/_matrix/client/v3"
ADMIN = "/_synapse/admin"
LOGIN_HINT = "Run: sprechstunde login matrix (or set SPRECHSTUNDE_MATRIX_TOKEN)."
NETWORK_HINT = "Check the network and providers.matrix.homeserver in the config, then retry."
DEFAULT_TIMEOUT = 30.0
# A 429 without any hint of how long to wait still means "slow down".
DEFAULT_RETRY_AFTER = 1.0
MAX_RETRY_AFTER = 3600.0

JSON = dict[str, Any]


class MatrixError(ProviderError):
    """A failed Matrix request; `status` 0 means the server was never reached."""

    def __init__(
        self,
        message: str,
        hint: str,
        *,
        status: int = 0,
        errcode: str = "",
        retryable: bool = False,
        retry_after: float = 0.0,
    ) -> None:
        super().__init__(message, hint, retryable=retryable, retry_after=retry_after)
        self.status = status
        self.errcode = errcode

    @property
    def gone(self) -> bool:
        """The thing asked about does not exist (any more) for this account."""
        return self.status == 404 and self.errcode != "M_UNRECOGNIZED"


def q(value: str) -> str:
    """One path segment: room ids, event ids and txn ids carry '!', '$', ':' and '/'."""
    return urllib.parse.quote(value, safe="")


def retry_after(response: httpx.Response, body: Mapping[str, Any]) -> float:
    """Seconds to wait: retry_after_ms (precise) or the Retry-After header, bounded."""
    millis = body.get("retry_after_ms")
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis >= 0:
        return min(MAX_RETRY_AFTER, millis / 1000)
    wait = retry_after_seconds(
        response.headers.get("Retry-After"), response.headers.get("Date"), DEFAULT_RETRY_AFTER
    )
    return min(MAX_RETRY_AFTER, wait)


def error_for(response: httpx.Response, what: str) -> MatrixError:
    status = response.status_code
    try:
        parsed = response.json()
    except ValueError:
        parsed = {}
    body: Mapping[str, Any] = parsed if isinstance(parsed, dict) else {}
    errcode = body.get("errcode")
    code = errcode if isinstance(errcode, str) and errcode.isprintable() else ""
    code = code[:64]
    label = f"HTTP {status}" + (f" {code}" if code else "")
    if status == 429 or code == "M_LIMIT_EXCEEDED":
        wait = retry_after(response, body)
        return MatrixError(
            f"The Matrix homeserver rate-limited {what} ({label}); retry in {wait:.1f} s.",
            "Nothing to do: it is retried after the wait. An admin can lift the limit for "
            "the office account (Synapse: override_ratelimit).",
            status=status,
            errcode=code,
            retryable=True,
            retry_after=wait,
        )
    if status == 401 or code in {"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"}:
        return MatrixError(
            f"The Matrix homeserver refused the access token for {what} ({label}).",
            LOGIN_HINT,
            status=status,
            errcode=code,
        )
    if status >= 500:
        return MatrixError(
            f"The Matrix homeserver failed on {what} ({label}).",
            "It is retried; if it persists, ask the homeserver's admin to check its log.",
            status=status,
            errcode=code,
            retryable=True,
        )
    if status == 403:
        return MatrixError(
            f"The Matrix homeserver forbade {what} ({label}).",
            "Check the office account's rights (room membership, power level, server admin).",
            status=status,
            errcode=code,
        )
    return MatrixError(
        f"The Matrix homeserver refused {what} ({label}).",
        "Check providers.matrix in the config and the office account's rights.",
        status=status,
        errcode=code,
    )


def unreachable(exc: httpx.TransportError, what: str) -> MatrixError:
    if isinstance(exc, httpx.TimeoutException):
        message = f"The Matrix homeserver did not answer {what} in time."
    else:
        message = f"Could not reach the Matrix homeserver for {what} ({type(exc).__name__})."
    return MatrixError(message, NETWORK_HINT, retryable=True)


class MatrixApi:
    """Thin JSON-over-HTTP calls; the client carries base URL and token (never in a URL)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> JSON:
        body = self._request(method, path, what, params, json, content, headers, timeout)
        if not isinstance(body, dict):
            raise not_matrix(what, 200)
        return body

    def call_list(self, path: str, what: str) -> list[Any]:
        """A GET whose answer is a JSON list (e.g. a room's whole state)."""
        body = self._request("GET", path, what, None, None, None, None, DEFAULT_TIMEOUT)
        if not isinstance(body, list):
            raise not_matrix(what, 200)
        return body

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        params: Mapping[str, str | int] | None,
        json: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: float,
    ) -> Any:
        try:
            response = self.http.request(
                method,
                path,
                params=params,
                json=json,
                content=content,
                headers=headers,
                timeout=timeout,
            )
        except httpx.TransportError as exc:
            raise unreachable(exc, what) from None
        if response.status_code >= 400:
            raise error_for(response, what)
        try:
            return response.json()
        except ValueError:
            raise not_matrix(what, response.status_code) from None

    def download(self, path: str, what: str, max_bytes: int) -> bytes:
        """Stream a file, stopping as soon as it grows past `max_bytes`."""
        try:
            with self.http.stream("GET", path, timeout=DEFAULT_TIMEOUT * 2) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_for(response, what)
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise too_large(max_bytes)
                return bytes(data)
        except httpx.TransportError as exc:
            raise unreachable(exc, what) from None


def not_matrix(what: str, status: int) -> MatrixError:
    return MatrixError(
        f"The Matrix homeserver answered {what} with something that is not Matrix JSON.",
        "Check that providers.matrix.homeserver points at the homeserver itself "
        "(not a web page or proxy login); it is retried.",
        status=status,
        retryable=True,
    )


def too_large(max_bytes: int) -> MatrixError:
    return MatrixError(
        f"The file is larger than the limit of {max_bytes} bytes.",
        "Raise hour.max_media_mb in the config to accept it.",
    )


def pause(seconds: float) -> None:
    """Wait out a rate limit inside a bounded loop (the purge, the redactions)."""
    time.sleep(seconds)
