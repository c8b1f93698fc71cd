"""WAHA's outbound WebSocket (`/ws`): the only way to see calls without a public endpoint.

Calls exist only as `call.received` events, so they are buffered here until `receive` takes
them. `message` events only ring a bell that makes `receive` poll at once: polling with a
cursor stays the source of truth for messages, because a socket loses whatever arrives while
the process is down. `websockets` (pure Python, no other dependencies) runs the socket in a
thread; it is imported only when a WAHA session starts receiving.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from sprechstunde_cli.errors import ProviderError

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

EVENTS = ("message", "call.received")


class EventSource(Protocol):
    """Pushed WAHA events; `open` may be called again after the connection dropped."""

    def open(self) -> None: ...

    @property
    def alive(self) -> bool: ...

    def wait(self, timeout: float) -> bool:
        """Block until an event arrived or `timeout` passed; True if one arrived."""
        ...

    def take(self) -> list[dict[str, Any]]:
        """The call envelopes that arrived since the last take, oldest first."""
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
        if self.alive:
            return
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect

        try:
            conn = connect(
                self._url, open_timeout=self._open_timeout, close_timeout=1.0, max_size=2**22
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                from sprechstunde_cli.providers.waha_http import LOGIN_HINT, WahaAuthError

                raise WahaAuthError(
                    f"WAHA's event stream refused the API key (HTTP {status}).",
                    LOGIN_HINT,
                    retryable=True,
                ) from None
            raise ProviderError(
                f"WAHA's event stream answered HTTP {status}.",
                "Check the WAHA version (2026.7.1 streams events on /ws).",
                retryable=True,
            ) from None
        except Exception as exc:  # refused, reset, timed out, bad handshake: all "not reachable"
            # The exception text can quote the URL, which holds the key: name only its type.
            raise ProviderError(
                f"Cannot open WAHA's event stream ({type(exc).__name__}).",
                "Start the WAHA container, or fix providers.waha.base_url in the config.",
                retryable=True,
            ) from None
        self._conn = conn
        self._thread = threading.Thread(target=self._read, args=(conn,), daemon=True)
        self._thread.start()

    def _read(self, conn: ClientConnection) -> None:
        try:
            for raw in conn:
                try:
                    envelope = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(envelope, dict):
                    continue
                if envelope.get("event") == "call.received":
                    with self._lock:
                        self._calls.append(envelope)
                self._bell.set()
        except Exception:  # noqa: S110  # a dropped socket ends the thread; open() reconnects
            pass
        finally:
            self._bell.set()  # wake a waiting receive so it notices

    def wait(self, timeout: float) -> bool:
        rang = self._bell.wait(max(0.0, timeout))
        self._bell.clear()
        return rang

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            calls, self._calls = self._calls, []
        return calls

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
