"""WAHA's HTTP surface: one request helper that turns every failure into a ProviderError.

"Could not reach" (connection, timeout, 5xx, 429) is retryable; "said no" is not, except the
two states an operator fixes during the hour without restarting: a refused API key and a session
that is not WORKING (phone offline, QR to scan). Pending replies then go out once it is fixed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.retry_after import retry_after_seconds

LOGIN_HINT = "Run: sprechstunde login waha (the key is the container's WAHA_API_KEY)."
DEFAULT_RETRY_AFTER = 5.0

_STATE_HINTS = {
    "SCAN_QR_CODE": "Pair the service phone: scan the QR code in the WAHA dashboard "
    "(or GET /api/{session}/auth/qr), or request a pairing code; see docs/waha.md.",
    "STARTING": "WAHA is still starting the session; wait a moment and try again.",
    "STOPPED": "Start the session: POST /api/sessions/{session}/start (or in the WAHA dashboard).",
    "FAILED": "Restart the session: POST /api/sessions/{session}/restart; if it fails again, "
    "log out and pair the phone anew.",
    "PASSKEY_REQUIRED": "Confirm the passkey on the service phone, then try again.",
    "PASSKEY_CONFIRMATION_REQUIRED": "Confirm the passkey on the service phone, then try again.",
}


class WahaAuthError(ProviderError):
    """WAHA refused the API key; a ProviderError so the services treat it like any outage."""

    exit_code = ExitCode.AUTH


class SessionNotWorking(ProviderError):
    def __init__(self, message: str, hint: str, *, status: str) -> None:
        super().__init__(message, hint, retryable=True)
        self.status = status


class NotImplementedByEngine(ProviderError):
    """The engine lacks the method; capabilities should have kept us from asking."""


class NotFound(ProviderError):
    """WAHA has no such message, chat, session or file."""


class ServerFailed(ProviderError):
    """WAHA answered with a 5xx."""


def path_part(value: str) -> str:
    """One URL path segment; '@' becomes %40 as WAHA's document asks for ids in paths."""
    return quote(value, safe="")


def session_hint(status: str, session: str) -> str:
    template = _STATE_HINTS.get(status, "Check the session in the WAHA dashboard.")
    return template.replace("{session}", session)


def not_working(session: str, status: str) -> SessionNotWorking:
    return SessionNotWorking(
        f"The WhatsApp session '{session}' is {status}, not WORKING.",
        session_hint(status, session),
        status=status,
    )


class WahaApi:
    """Requests against one WAHA server and session; the client carries base URL and key."""

    def __init__(self, client: httpx.Client, session: str, engine: str) -> None:
        self.client = client
        self.session = session
        self.engine = engine
        self.base = str(client.base_url).rstrip("/")

    def request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str | int | bool | Sequence[str]] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON body (None when empty)."""
        query = {k: _query_value(v) for k, v in (params or {}).items()}
        try:
            response = self.client.request(method, path, params=query, json=json)
        except httpx.TimeoutException:
            raise ProviderError(
                f"WAHA did not answer in time ({what}).",
                "Check that the WAHA container is healthy (docker logs waha).",
                retryable=True,
            ) from None
        except httpx.TransportError:
            # No URL in the message: it may carry a query with an id in it.
            raise ProviderError(
                f"Cannot reach WAHA at {self.base} ({what}).",
                "Start the WAHA container, or fix providers.waha.base_url in the config.",
                retryable=True,
            ) from None
        self.raise_for(response, what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                f"WAHA sent an unreadable answer ({what}).",
                "Check the WAHA version; sprechstunde is tested against 2026.7.1.",
                retryable=True,
            ) from None

    def lookup(
        self, path: str, what: str, *, params: Mapping[str, str | int | bool] | None = None
    ) -> Any:
        """GET something that may be missing: None for 404, and for a 5xx (unknown ids make
        some engines fail instead of answering 404). Auth and session errors still raise."""
        try:
            return self.request("GET", path, what, params=params)
        except (NotFound, ServerFailed):
            return None

    def raise_for(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        body = _json_or_none(response)
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        if status in (401, 403):
            raise WahaAuthError(
                f"WAHA refused the API key (HTTP {status}).", LOGIN_HINT, retryable=True
            )
        if status == 429:
            raise ProviderError(
                f"WAHA asks us to slow down ({what}).",
                "Wait a moment; sprechstunde retries by itself.",
                retryable=True,
                retry_after=retry_after(
                    response.headers.get("Retry-After"), response.headers.get("Date")
                ),
            )
        if "not implemented by" in f"{message} {error}".lower():
            # 422 in older WAHA, 501 in newer: the engine has no such method.
            raise NotImplementedByEngine(
                f"The {self.engine} engine cannot {what}.",
                "Set providers.waha.engine to the engine WAHA really runs, or pick an engine "
                "with this feature (docs/waha.md lists them).",
            )
        if status == 422 and isinstance(body, dict) and "status" in body and "expected" in body:
            raise not_working(self.session, str(body["status"]))
        if status == 404:
            raise NotFound(
                f"WAHA has nothing there ({what}: HTTP 404).",
                "It was deleted or has expired; if the session is missing, create it in WAHA.",
            )
        if status >= 500:
            raise ServerFailed(
                f"WAHA failed ({what}: HTTP {status}).",
                "sprechstunde retries by itself; if it persists, check docker logs waha.",
                retryable=True,
            )
        # WAHA's own words are left out: they may quote a chat id, i.e. a phone number.
        raise ProviderError(
            f"WAHA rejected the request ({what}: HTTP {status}).",
            "Check the WAHA version (sprechstunde is tested against 2026.7.1) and the engine.",
        )


def retry_after(value: str | None, date: str | None = None) -> float:
    """Seconds from a Retry-After header; an HTTP date counts from the response's Date."""
    return retry_after_seconds(value, date, DEFAULT_RETRY_AFTER)


def is_private_url(url: str) -> bool:
    """True if the URL points at this machine or a private network (WAHA must not be public)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: cannot tell without resolving it, so say so
    return address.is_loopback or address.is_private


def _query_value(value: str | int | bool | Sequence[str]) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return [str(v) for v in value]


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
