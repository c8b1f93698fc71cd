"""WAHA's HTTP surface: requests against one WAHA server and session.

Failures are mapped by providers/http_errors.py like every other HTTP adapter's. Two answers
are WAHA's own and are recognised first: a session that is not WORKING (phone offline, QR to
scan) is retryable, since the operator fixes it during the hour and pending replies then go out;
and a method the engine lacks ("not implemented by …") is not.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.http import Forbidden, NotFound, ServerFailed, Unauthorized
from sprechstunde_cli.system.redact import summary

__all__ = [
    "LOGIN_HINT",
    "SERVICE",
    "TESTED_VERSION",
    "VERSION_HINT",
    "Forbidden",
    "NotFound",
    "NotImplementedByEngine",
    "ServerFailed",
    "SessionNotWorking",
    "Unauthorized",
    "WahaApi",
]

TESTED_VERSION = "2026.7.1"
STATUS_CHARS = 40  # the longest WAHA state, PASSKEY_CONFIRMATION_REQUIRED, has 29
LOGIN_HINT = _("Run: sprechstunde login waha (the key is the container's WAHA_API_KEY).")
VERSION_HINT = _("Check the WAHA version; sprechstunde is tested against {version}.").format(
    version=TESTED_VERSION
)
SERVICE = http.Service(
    name=_("WAHA"),
    login_hint=LOGIN_HINT,
    network_hint=_("Start the WAHA container, or fix providers.waha.base_url in the config."),
    forbidden_hint=_(
        "Check the API key's rights in WAHA (WAHA_API_KEY), then: sprechstunde login waha"
    ),
    refused_hint=_("{hint} Check providers.waha.engine too.").format(hint=VERSION_HINT),
    server_hint=_("sprechstunde retries by itself; if it persists, check docker logs waha."),
    credential=_("API key"),
)

_STATE_HINTS = {
    "SCAN_QR_CODE": _(
        "Pair the service phone: scan the QR code in the WAHA dashboard "
        "(or GET /api/{session}/auth/qr), or request a pairing code; see docs/waha.md."
    ),
    "STARTING": _("WAHA is still starting the session; wait a moment and try again."),
    "STOPPED": _(
        "Start the session: POST /api/sessions/{session}/start (or in the WAHA dashboard)."
    ),
    "FAILED": _(
        "Restart the session: POST /api/sessions/{session}/restart; if it fails again, "
        "log out and pair the phone anew."
    ),
    "PASSKEY_REQUIRED": _("Confirm the passkey on the service phone, then try again."),
    "PASSKEY_CONFIRMATION_REQUIRED": _("Confirm the passkey on the service phone, then try again."),
}


class SessionNotWorking(ProviderError):
    def __init__(self, message: str, hint: str, *, status: str) -> None:
        super().__init__(message, hint, retryable=True)
        self.status = status


class NotImplementedByEngine(ProviderError):
    """The engine lacks the method; capabilities should have kept us from asking."""


def path_part(value: str) -> str:
    """One URL path segment; '@' becomes %40 as WAHA's document asks for ids in paths."""
    return quote(value, safe="")


def session_hint(status: str, session: str) -> str:
    template = _STATE_HINTS.get(status, _("Check the session in the WAHA dashboard."))
    return template.replace("{session}", session)


def not_working(session: str, status: str) -> SessionNotWorking:
    """`status` is what WAHA said: quoted redacted and short (the terminal cleans it), since a
    broken or hostile server can put anything there, our key included."""
    status = summary(status, STATUS_CHARS)
    return SessionNotWorking(
        _("The WhatsApp session '{session}' is {status}, not WORKING.").format(
            session=session, status=status
        ),
        session_hint(status, session),
        status=status,
    )


class WahaApi:
    """Requests against one WAHA server and session; the client carries base URL and key."""

    def __init__(self, client: httpx.Client, session: str, engine: str) -> None:
        self.client = client
        self.session = session
        self.engine = engine
        # Where WAHA was looked for, in the hint of "cannot reach": the key is in a header,
        # never in this URL (settings refuse a user or password in it).
        base = str(client.base_url).rstrip("/")
        hint = _(
            "Start the WAHA container ({base}), or fix providers.waha.base_url in the config."
        ).format(base=base)
        self.service = dataclasses.replace(SERVICE, network_hint=hint)

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
        response = http.request(
            self.client,
            method,
            path,
            what,
            self.service,
            params=query,
            json=json,
            refine=self._refine,
        )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                _("WAHA sent an unreadable answer ({what}).").format(what=what),
                VERSION_HINT,
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

    def download(self, path: str, what: str, max_bytes: int) -> bytes:
        """A file from WAHA's own file store, capped at `max_bytes`."""
        return http.download(self.client, path, what, self.service, max_bytes, refine=self._refine)

    def _refine(self, response: httpx.Response, err: http.HttpError, what: str) -> ProviderError:
        """WAHA's own answers inside a 422/501, else the shared meaning of the status."""
        body = http.json_body(response)
        if not isinstance(body, dict):
            return err
        said = f"{body.get('message', '')} {body.get('error', '')}".lower()
        if err.status == 422 and "status" in body and "expected" in body:
            return not_working(self.session, str(body["status"]))
        if err.status in (422, 501) and "not implemented by" in said:
            # 422 in older WAHA, 501 in newer: the engine has no such method.
            return NotImplementedByEngine(
                _("The {engine} engine cannot {what}.").format(engine=self.engine, what=what),
                _(
                    "Set providers.waha.engine to the engine WAHA really runs, or pick an engine "
                    "with this feature (docs/waha.md lists them)."
                ),
            )
        return err


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
