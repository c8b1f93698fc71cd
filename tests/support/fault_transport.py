"""Seeded fault injection at the HTTP layer: an httpx transport around any other one.

Wraps the fake WAHA's `httpx.MockTransport`, or the real socket transport in front of Synapse;
draws its faults from a `faults.Faults` (same seed, same ledger). See `faults.py` for the kinds.
"""

from __future__ import annotations

import email.utils
import hashlib
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.faults import Faults, Kind


def http_date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


class FaultyTransport(httpx.BaseTransport):
    """An httpx transport around another one (e.g. `httpx.MockTransport(fake)`), with faults.

    A retry is recognised by method, URL and body; `body_429` shapes the 429's JSON for the
    API at hand (Matrix wants an errcode). The seconds a 429 asks for are whole seconds from
    the response's `Date`, so both header forms ask for exactly the same wait.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        faults: Faults,
        *,
        body_429: Callable[[float], dict[str, Any]] = lambda _s: {"error": "Too Many Requests"},
        skip: Callable[[httpx.Request], bool] = lambda _r: False,
        date_share: float = 0.5,  # of 429s, how many give Retry-After as an HTTP date
    ) -> None:
        self.inner = inner
        self.faults = faults
        self.body_429 = body_429
        self.skip = skip
        self.date_share = date_share
        self.date_form = 0  # how many 429s gave Retry-After as an HTTP date
        self.seconds_form = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.skip(request):
            return self.inner.handle_request(request)
        request.read()
        digest = hashlib.sha256(request.content).hexdigest()[:16]
        target = f"{request.method} {request.url.path}?{request.url.query.decode()} {digest}"
        fault = self.faults.draw(f"{request.method} {request.url.path}", target, http=True)
        if fault is None:
            return self.inner.handle_request(request)
        if fault.kind is Kind.RATE_LIMIT:
            return self._rate_limited(request, fault.retry_after)
        if fault.kind is Kind.SERVER_ERROR:
            status = self.faults.rng.choice((502, 503, 504))
            return httpx.Response(status, json={"error": "injected"}, request=request)
        if fault.after:
            self.inner.handle_request(request).read()
            if fault.kind is Kind.TIMEOUT:
                raise httpx.ReadTimeout("injected: read timed out", request=request)
            raise httpx.ReadError("injected: connection reset by peer", request=request)
        if fault.kind is Kind.TIMEOUT:
            raise httpx.ConnectTimeout("injected: connect timed out", request=request)
        raise httpx.ConnectError("injected: connection refused", request=request)

    def _rate_limited(self, request: httpx.Request, wait: float) -> httpx.Response:
        date = float(int(self.faults.now()))  # HTTP dates have whole seconds
        headers = {"Date": http_date(date)}
        if self.faults.chance(self.date_share):
            headers["Retry-After"] = http_date(date + wait)
            self.date_form += 1
        else:
            headers["Retry-After"] = str(int(wait))
            self.seconds_form += 1
        return httpx.Response(429, headers=headers, json=self.body_429(wait), request=request)

    def close(self) -> None:
        self.inner.close()
