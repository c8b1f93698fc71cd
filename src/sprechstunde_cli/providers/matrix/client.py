"""The Matrix client-server API over one injected httpx.Client.

Failures are mapped by providers/http_errors.py like every other HTTP adapter's: messages name the
HTTP status and the Matrix errcode only, never the server's text (it can quote room, event or
media ids).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.http import HttpError
from sprechstunde_cli.system.credentials import Secret

CLIENT = "/_matrix/client/v3"
ADMIN = "/_synapse/admin"
LOGIN_HINT = _("Run: sprechstunde login matrix (or set SPRECHSTUNDE_MATRIX_TOKEN).")
SERVICE = http.Service(
    name=_("the Matrix homeserver"),
    login_hint=LOGIN_HINT,
    network_hint=_("Check the network and providers.matrix.homeserver in the config, then retry."),
    forbidden_hint=_(
        "Check the office account's rights (room membership, power level, server admin)."
    ),
    refused_hint=_("Check providers.matrix in the config and the office account's rights."),
    server_hint=_("It is retried; if it persists, ask the homeserver's admin to check its log."),
    rate_hint=_(
        "Nothing to do: it is retried after the wait. An admin can lift the limit for "
        "the office account (Synapse: override_ratelimit)."
    ),
)

JSON = dict[str, Any]


def gone(err: HttpError) -> bool:
    """The thing asked about does not exist (any more) for this account; a 404 M_UNRECOGNIZED
    is an endpoint the server does not know, not a missing thing."""
    return isinstance(err, http.NotFound) and err.code != "M_UNRECOGNIZED"


def q(value: str) -> str:
    """One path segment: room ids, event ids and txn ids carry '!', '$', ':' and '/'."""
    return urllib.parse.quote(value, safe="")


def http_client(
    homeserver: str, token: Secret | None, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    headers = {"User-Agent": "sprechstunde"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token.reveal()}"
    return http.make_client(
        homeserver,
        headers=headers,
        timeout=httpx.Timeout(http.DEFAULT_TIMEOUT, connect=10.0),
        transport=transport,
    )


class MatrixApi:
    """Thin JSON-over-HTTP calls; the client carries base URL and token (never in a URL)."""

    def __init__(self, http_client: httpx.Client) -> None:
        self.http = http_client

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
        timeout: float = http.DEFAULT_TIMEOUT,
    ) -> JSON:
        body = self._request(method, path, what, params, json, content, headers, timeout)
        if not isinstance(body, dict):
            raise not_matrix(what, 200)
        return body

    def call_list(self, path: str, what: str) -> list[Any]:
        """A GET whose answer is a JSON list (e.g. a room's whole state)."""
        body = self._request("GET", path, what, None, None, None, None, http.DEFAULT_TIMEOUT)
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
        response = http.request(
            self.http,
            method,
            path,
            what,
            SERVICE,
            params=params,
            json=json,
            content=content,
            headers=headers,
            timeout=timeout,
        )
        try:
            return response.json()
        except ValueError:
            raise not_matrix(what, response.status_code) from None

    def download(self, path: str, what: str, max_bytes: int) -> bytes:
        """Stream a file, stopping as soon as it grows past `max_bytes`."""
        return http.download(
            self.http, path, what, SERVICE, max_bytes, timeout=http.DEFAULT_TIMEOUT * 2
        )


def not_matrix(what: str, status: int) -> HttpError:
    return http.ServerFailed(
        _("The Matrix homeserver answered {what} with something that is not Matrix JSON.").format(
            what=what
        ),
        _(
            "Check that providers.matrix.homeserver points at the homeserver itself "
            "(not a web page or proxy login); it is retried."
        ),
        status=status,
        retryable=True,
    )
