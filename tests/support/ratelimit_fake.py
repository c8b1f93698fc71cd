"""A messenger server with a rate limit, seen through the Provider protocol (purge at scale).

It enforces "at most `limit` requests in any `window` seconds" — the strictest common reading
of a rate limit — and answers a request over it with a 429 (`ProviderError` with
`retry_after`). It also notices a client that comes back before the wait it was given
(`ignored_waits`). Each call takes `latency` seconds, so a client that calls one at a time is
slow and one that overlaps calls can reach the limit; `max_in_flight` records how far it went.
Time is injected, so the same fake runs on a wall clock (bench) or a fake one.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import (
    Capabilities,
    Closing,
    DeleteReach,
    Provider,
    ReceiveMode,
    Sent,
)
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.base.events import InboundCall, MediaRef, ReceiveBatch
from sprechstunde_cli.providers.base.media import OutboundMedia


@dataclass(frozen=True)
class Limit:
    requests: int  # at most this many ...
    window: float = 1.0  # ... in any window of this many seconds
    retry_after: float = 1.0  # what a 429 asks for


class RateLimitedServer:
    """The server side: chats and their message ids, the limit, and what the client did."""

    def __init__(
        self,
        limit: Limit,
        now: Callable[[], float],
        sleep: Callable[[float], None],
        latency: float = 0.0,
    ) -> None:
        self.limit = limit
        self.now = now
        self.sleep = sleep
        self.latency = latency
        self.chats: dict[str, set[str]] = {}
        self.requests = 0
        self.rejected = 0
        self.ignored_waits = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._arrivals: deque[float] = deque()
        self._blocked_until = float("-inf")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def seed(self, chats: int, per_chat: int) -> dict[str, list[str]]:
        """Fill the server with `chats` conversations; return their ids by chat."""
        refs: dict[str, list[str]] = {}
        for n in range(chats):
            chat = f"+49 000 {n:07d}"
            ids = [f"m{next(self._ids)}" for _ in range(per_chat)]
            self.chats[chat] = set(ids)
            refs[chat] = ids
        return refs

    def request(self) -> None:
        """Admit one request or answer 429; then take `latency` to serve it."""
        with self._lock:
            now = self.now()
            self.requests += 1
            if now < self._blocked_until:
                self.ignored_waits += 1
            while self._arrivals and self._arrivals[0] <= now - self.limit.window:
                self._arrivals.popleft()
            if len(self._arrivals) >= self.limit.requests:
                self.rejected += 1
                self._blocked_until = now + self.limit.retry_after
                raise ProviderError(
                    "The messenger asks us to slow down (HTTP 429).",
                    "Retried by itself.",
                    retryable=True,
                    retry_after=self.limit.retry_after,
                )
            self._arrivals.append(now)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                self.sleep(self.latency)
        finally:
            with self._lock:
                self.in_flight -= 1

    @property
    def messages_left(self) -> int:
        return sum(len(ids) for ids in self.chats.values())


class RateLimitedProvider(Closing):
    """The office's side of `RateLimitedServer`; declares the limit it was built with."""

    name = "ratelimited"

    def __init__(
        self, server: RateLimitedServer, *, declared_rate: float | None, concurrency: int
    ) -> None:
        self.server = server
        self.capabilities = Capabilities(
            receive=ReceiveMode.POLL,
            send_text=True,
            send_media=frozenset({MessageKind.IMAGE}),
            download_media=False,
            mark_read=False,
            reject_calls=False,
            delete_reach=DeleteReach.BOTH_SIDES,
            revoke_own=True,
            delete_chat=True,
            announce=False,
            idempotent_send=True,
            max_requests_per_second=declared_rate,
            max_concurrent_requests=concurrency,
        )

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        return ReceiveBatch((), cursor or "0")

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self.server.request()
        with self.server._lock:
            self.server.chats.setdefault(chat, set()).add(f"out-{key}")
        return Sent(f"out-{key}")

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return self.send_text(chat, caption, key)

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        raise ProviderError("No media here.")

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        return None

    def reject_call(self, call: InboundCall) -> None:
        raise ProviderError("Calls cannot be rejected here.")

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        self.server.request()
        with self.server._lock:
            held = self.server.chats.get(chat, set())
            held.difference_update(provider_ids)
        return DeleteOutcome(requested=len(provider_ids), confirmed=len(provider_ids))

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        self.server.request()
        with self.server._lock:
            return frozenset(self.server.chats.get(chat, set()) & set(provider_ids))

    def delete_chat(self, chat: str) -> DeleteOutcome:
        self.server.request()
        with self.server._lock:
            removed = len(self.server.chats.pop(chat, set()))
        return DeleteOutcome(requested=removed, confirmed=removed)

    def announce(self, text: str, key: str) -> Sent:
        raise ProviderError("No announcements here.")

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        return frozenset()

    def check(self) -> tuple[str, ...]:
        return ()

    def close(self) -> None:
        return None


class RateLimitGate(Closing):
    """Any provider behind a `RateLimitedServer`'s limit: every call that reaches the messenger
    (sending, deleting, listing again) is admitted by `server.request()` first, or answered with
    its 429, exactly as a rate-limited server would. The capabilities stay the provider's own, so
    the office does not know the limit in advance and must go by the 429s' Retry-After."""

    def __init__(self, inner: Provider, server: RateLimitedServer) -> None:
        self.inner = inner
        self.server = server
        self.name = inner.name
        self.capabilities = inner.capabilities

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        return self.inner.receive(cursor, wait)

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self.server.request()
        return self.inner.send_text(chat, text, key)

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        self.server.request()
        return self.inner.send_media(chat, media, caption, key)

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        return self.inner.download_media(media, max_bytes)

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        self.inner.mark_read(chat, provider_ids)

    def reject_call(self, call: InboundCall) -> None:
        self.inner.reject_call(call)

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        self.server.request()
        return self.inner.delete_messages(chat, provider_ids)

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        self.server.request()
        return self.inner.remaining(chat, provider_ids)

    def delete_chat(self, chat: str) -> DeleteOutcome:
        self.server.request()
        return self.inner.delete_chat(chat)

    def announce(self, text: str, key: str) -> Sent:
        return self.inner.announce(text, key)

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        self.server.request()
        return self.inner.read_by_citizens(sent)

    def check(self) -> tuple[str, ...]:
        return self.inner.check()

    def close(self) -> None:
        self.inner.close()
