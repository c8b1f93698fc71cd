"""Any httpx transport (a fake's `httpx.MockTransport`, the hostile server) behind a real socket
on 127.0.0.1: for other processes, and for real timeouts and real byte counts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@contextmanager
def serve_on_loopback(transport: httpx.BaseTransport) -> Iterator[str]:
    """Serve `transport`'s answers on a free port, streaming each body as it is produced (the
    hostile server's DRIP really drips; its STALL really goes quiet until the client gives up);
    yield the base URL."""

    class Bridge(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: as it should

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = httpx.Request(
                self.command,
                f"http://127.0.0.1{self.path}",
                headers=list(self.headers.items()),
                content=self.rfile.read(length),
            )
            response = transport.handle_request(request)
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in {"date", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in response.stream:  # type: ignore[union-attr]
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except httpx.ReadTimeout:
                time.sleep(5)  # quiet: the client's read timeout ends it first
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bridge)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
