"""A stateful fake of Mastodon's POST /api/v1/statuses, as documented at docs.joinmastodon.org.

An `httpx.MockTransport` handler: bearer auth (401), 422 on an empty or too long status, rate
limits with X-RateLimit-* headers (429 with Retry-After once exhausted), and Idempotency-Key:
the same key from the same account returns the status it already created.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs

import httpx

VISIBILITIES = ("public", "unlisted", "private", "direct")


@dataclass(frozen=True)
class Posted:
    key: str | None
    text: str
    status_code: int


class FakeMastodon:
    def __init__(
        self,
        token: str = "test-token",
        *,
        limit: int = 300,
        max_chars: int = 500,
        clock: Callable[[], datetime] = lambda: datetime(2026, 12, 1, tzinfo=UTC),
    ) -> None:
        self.token = token
        self.limit = limit
        self.remaining = limit
        self.max_chars = max_chars
        self.clock = clock
        self.statuses: list[dict[str, object]] = []
        self.requests: list[Posted] = []
        self._by_key: dict[tuple[str, str], dict[str, object]] = {}
        self._failures: list[int] = []
        self._lock = threading.Lock()

    def fail_next(self, *codes: int) -> None:
        """Answer the next requests with these server errors (e.g. 500, 503)."""
        self._failures.extend(codes)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            return self._handle(request)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key")
        text = _form(request).get("status", "")
        if request.method != "POST" or request.url.path != "/api/v1/statuses":
            return self._answer(request, key, text, 404, {"error": "Record not found"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._answer(request, key, text, 401, {"error": "The access token is invalid"})
        if self._failures:
            code = self._failures.pop(0)
            return self._answer(request, key, text, code, {"error": "Internal server error"})
        if key and (self.token, key) in self._by_key:
            # Documented: a repeated Idempotency-Key returns the earlier result, posts nothing.
            return self._answer(request, key, text, 200, self._by_key[(self.token, key)])
        if self.remaining <= 0:
            return self._answer(request, key, text, 429, {"error": "Too many requests"})
        self.remaining -= 1
        form = _form(request)
        if not text.strip():
            return self._answer(
                request, key, text, 422, {"error": "Validation failed: Text can't be blank"}
            )
        if len(text) > self.max_chars:
            error = f"Validation failed: Text character limit of {self.max_chars} exceeded"
            return self._answer(request, key, text, 422, {"error": error})
        visibility = form.get("visibility", "public")
        if visibility not in VISIBILITIES:
            return self._answer(
                request, key, text, 422, {"error": "Validation failed: Visibility is invalid"}
            )
        status: dict[str, object] = {
            "id": str(109_000_000 + len(self.statuses) + 1),
            "created_at": self.clock().isoformat().replace("+00:00", "Z"),
            "content": f"<p>{html.escape(text)}</p>",
            "visibility": visibility,
            "language": form.get("language"),
            "uri": f"https://social.example.org/users/stadt/statuses/{len(self.statuses) + 1}",
        }
        self.statuses.append(status)
        if key:
            self._by_key[(self.token, key)] = status
        return self._answer(request, key, text, 200, status)

    def _answer(
        self, request: httpx.Request, key: str | None, text: str, code: int, body: object
    ) -> httpx.Response:
        self.requests.append(Posted(key, text, code))
        now = self.clock()
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": (now + timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
            "Date": format_datetime(now.astimezone(UTC), usegmt=True),
        }
        if code == 429:
            headers["Retry-After"] = "300"
        return httpx.Response(code, json=body, headers=headers, request=request)


def _form(request: httpx.Request) -> dict[str, str]:
    body = request.content.decode("utf-8", "replace")
    if request.headers.get("Content-Type", "").startswith("application/json"):
        data = json.loads(body or "{}")
        return {k: str(v) for k, v in data.items()}
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
