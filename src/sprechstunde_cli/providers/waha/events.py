"""WAHA's outbound WebSocket (`/ws`): the only way to see calls without a public endpoint.

Calls exist only as `call.received` events, and a citizen's revoke or edit of a message only as
`message.revoked`/`message.edited`, so these are buffered here until `receive` takes them.
`message` events only ring a bell that makes `receive` poll at once: polling with a cursor
stays the source of truth for messages, because a socket loses whatever arrives while the
process is down (a revoke or edit pushed then is lost with it; the purge still deletes the
message at WhatsApp). `websockets` (pure Python, no other dependencies) runs the socket in a
thread; it is imported only when a WAHA session starts receiving.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

EVENTS = ("message", "call.received", "message.revoked", "message.edited")
# The events kept for `receive`; `message` only rings the bell.
BUFFERED = frozenset(EVENTS) - {"message"}


class EventSource(Protocol):
    """Pushed WAHA events; `open` may be called again after the connection dropped."""

    def open(self) -> None: ...

    @property
    def alive(self) -> bool: ...

    def wait(self, timeout: float) -> bool:
        """Block until an event arrived or `timeout` passed; True if one arrived."""
        ...

    def take(self) -> list[dict[str, Any]]:
        """The buffered envelopes (calls, revokes, edits) since the last take, oldest first."""
        ...

    def close(self) -> None: ...


def ws_url(base_url: str, api_key: str, session: str) -> str:
    """ws(s)://host/ws?...; WAHA reads the key only from the query (WebSocketAuth)."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = [("session", session), *(("events", e) for e in EVENTS), ("x-api-key", api_key)]
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/ws", urlencode(query), ""))


class WebSocketEvents:
    """An `EventSource` on WAHA's `/ws`; the URL holds the key, so it is never shown."""

    def __init__(self, url: str, *, open_timeout: float = 5.0) -> None:
        self._url = url
        self._open_timeout = open_timeout
        self._lock = threading.Lock()
        self._bell = threading.Event()
        self._calls: list[dict[str, Any]] = []
        self._conn: ClientConnection | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return "WebSocketEvents('***')"

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def open(self) -> None:
        """Connect, or raise a ProviderError saying why; the socket then lives in a thread."""
        if self.alive:
            return
        opened = threading.Event()
        failure: list[ProviderError] = []
        self._thread = threading.Thread(
            target=self._run, args=(opened, failure), name="waha-events", daemon=True
        )
        self._thread.start()
        opened.wait(self._open_timeout + 2.0)
        if failure or not opened.is_set():
            self._thread.join(timeout=1.0)
            self._thread = None
            raise failure[0] if failure else _unreachable("TimeoutError")

    def _run(self, opened: threading.Event, failure: list[ProviderError]) -> None:
        from websockets.sync.client import connect

        try:
            # The context manager is how websockets ≥ 17.1 wants a connection held.
            with connect(
                self._url, open_timeout=self._open_timeout, close_timeout=1.0, max_size=2**22
            ) as conn:
                self._conn = conn
                opened.set()
                self._read(conn)
        except Exception as exc:  # refused, reset, timed out, bad handshake: all "not reachable"
            if not opened.is_set():
                failure.append(_refusal(exc))
                opened.set()
        finally:
            self._conn = None
            self._bell.set()  # wake a waiting receive so it notices

    def _read(self, conn: ClientConnection) -> None:
        for raw in conn:
            try:
                envelope = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(envelope, dict):
                continue
            if envelope.get("event") in BUFFERED:
                with self._lock:
                    self._calls.append(envelope)
            self._bell.set()

    def wait(self, timeout: float) -> bool:
        rang = self._bell.wait(max(0.0, timeout))
        self._bell.clear()
        return rang

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            calls, self._calls = self._calls, []
        return calls

    def close(self) -> None:
        conn = self._conn
        if conn is not None:
            conn.close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None


def _refusal(exc: Exception) -> ProviderError:
    from websockets.exceptions import InvalidStatus

    if isinstance(exc, InvalidStatus):
        # The handshake's answer means what any HTTP answer of WAHA means (http_errors.py).
        import httpx

        from sprechstunde_cli.providers import http
        from sprechstunde_cli.providers.waha.client import SERVICE, TESTED_VERSION

        status = exc.response.status_code
        response = httpx.Response(status, headers=list(exc.response.headers.raw_items()))
        err = http.error_for(response, "open the event stream", SERVICE)
        if isinstance(err, http.NotFound):
            return http.NotFound(
                _("WAHA's event stream answered HTTP {status}.").format(status=status),
                _("Check the WAHA version ({TESTED_VERSION} streams events on /ws).").format(
                    TESTED_VERSION=TESTED_VERSION
                ),
                status=status,
            )
        return err
    # The exception's text can quote the URL, which holds the key: name only its type.
    return _unreachable(type(exc).__name__)


def _unreachable(reason: str) -> ProviderError:
    return ProviderError(
        _("Cannot open WAHA's event stream ({reason}).").format(reason=reason),
        _("Start the WAHA container, or fix providers.waha.base_url in the config."),
        retryable=True,
    )
