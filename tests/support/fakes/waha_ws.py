"""The fake WAHA's `/ws` event stream: a real WebSocket server on loopback.

As in WAHA, the key is read only from the `x-api-key` query parameter, `session` picks one
session (or `*`), and `events` (repeated) picks event names (or `*`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.support.fakes.waha import FakeWaha


class WsHub:
    def __init__(self, fake: FakeWaha) -> None:
        self.fake = fake
        self.lock = threading.Lock()
        self.clients: dict[ServerConnection, tuple[str, set[str]]] = {}
        self.handshakes = 0  # accepted but not yet registered: emit waits for them
        self.settled = threading.Condition(self.lock)
        self.server: Server = serve(
            self._handle, "127.0.0.1", 0, process_request=self._check, close_timeout=1
        )
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        fake.listeners.append(self.broadcast)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query)
        if parts.path != "/ws":
            return connection.respond(404, "Not Found\n")
        if query.get("x-api-key", [""])[0] != self.fake.api_key:
            return Response(401, "Unauthorized", Headers(), b'{"message":"Unauthorized"}')
        with self.lock:
            self.handshakes += 1
        return None

    def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        session = query.get("session", ["*"])[0]
        events = set(query.get("events", ["*"]))
        with self.lock:
            self.clients[connection] = (session, events)
            self.handshakes -= 1
            self.settled.notify_all()
        try:
            for _ in connection:
                pass  # WAHA ignores what clients send
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                self.clients.pop(connection, None)

    def broadcast(self, envelope: dict[str, Any]) -> None:
        with self.lock:
            self.settled.wait_for(lambda: self.handshakes == 0, timeout=2.0)
            targets = list(self.clients.items())
        text = json.dumps(envelope)
        for connection, (session, events) in targets:
            if session not in ("*", envelope["session"]):
                continue
            if "*" not in events and envelope["event"] not in events:
                continue
            with contextlib.suppress(ConnectionClosed):
                connection.send(text)

    def drop_clients(self) -> None:
        """Cut every connection, as a WAHA restart would."""
        with self.lock:
            self.settled.wait_for(lambda: self.handshakes == 0, timeout=2.0)
            targets = list(self.clients)
        for connection in targets:
            connection.close()

    def close(self) -> None:
        self.fake.listeners.remove(self.broadcast)
        self.drop_clients()
        self.server.shutdown()
        self.thread.join(timeout=5)
