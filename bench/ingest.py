"""Ingest: citizen messages per second from a provider into the store, the way `open` runs.

    .venv/bin/python -m bench.ingest [--messages 20000] [--threads 2000]

Two figures, both through `Hour.step` (receive → intake: store, greet, cursor in one
transaction per batch → deliver the greetings):

- feed:  a provider that hands out pre-built events from memory, so the figure is the store's
         (bodies sealed with AES-GCM, one transaction per batch of 200);
- local: the built-in local messenger as the server (its own SQLite file), end to end.

Target ≥ 2,000 msg/s. A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench._world import SESSION, hour_now, machine, open_store
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Closing, Provider, Sent
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.base.events import (
    InboundCall,
    InboundMessage,
    MediaRef,
    ReceiveBatch,
)
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services.hour import Hour
from sprechstunde_cli.store import Store

BATCH = 200  # what the local messenger hands out per receive, too


class Feed(Closing):
    """A provider whose server is a list in memory."""

    name = "feed"
    capabilities = LocalProvider.capabilities

    def __init__(self, events: Sequence[InboundMessage]) -> None:
        self.events = events
        self.sent = 0

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        start = int(cursor or 0)
        chunk = self.events[start : start + BATCH]
        return ReceiveBatch(tuple(chunk), str(start + len(chunk)))

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self.sent += 1
        return Sent(f"out-{self.sent}")

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return self.send_text(chat, caption, key)

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        raise ProviderError("no media in this bench")

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        return None

    def reject_call(self, call: InboundCall) -> None:
        return None

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        return DeleteOutcome(len(provider_ids), len(provider_ids))

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        return frozenset()

    def delete_chat(self, chat: str) -> DeleteOutcome:
        return DeleteOutcome(0, 0)

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        return frozenset()

    def announce(self, text: str, key: str) -> Sent:
        return self.send_text("status", text, key)

    def check(self) -> tuple[str, ...]:
        return ()

    def close(self) -> None:
        return None


def text(n: int) -> str:
    return f"Frage {n}: Wann wird der Spielplatz an der Parkstraße endlich saniert? Danke!"


def run_hour(store: Store, provider: Provider, config: Config, base: Path, total: int) -> float:
    """Step until `total` messages are stored; return the seconds it took."""
    hour = Hour(store, provider, config, SESSION, base / "media")
    stored = 0
    started = time.perf_counter()
    while stored < total:
        stored += hour.step(datetime.now(UTC), 0.0).intake.stored
    return time.perf_counter() - started


def bench_feed(messages: int, threads: int) -> float:
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        _, config = hour_now(base)
        now = datetime.now(UTC)
        events = [
            InboundMessage(
                provider_id=f"feed-{n}",
                chat=f"+49 000 {n % threads:07d}",
                sender_name="",
                sent_at=now,
                kind=MessageKind.TEXT,
                text=text(n),
            )
            for n in range(messages)
        ]
        store = Store.open(base / "data" / "sprechstunde.db")
        open_store(store, config, now)
        try:
            return messages / run_hour(store, Feed(events), config, base, messages)
        finally:
            store.close()


def bench_local(messages: int, threads: int) -> float:
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        _, config = hour_now(base)
        messenger = LocalMessenger(base / "data" / "local-messenger.db")
        for n in range(messages):
            messenger.citizen_send(f"+49 000 {n % threads:07d}", text(n))
        store = Store.open(base / "data" / "sprechstunde.db")
        open_store(store, config, datetime.now(UTC))
        try:
            return messages / run_hour(store, LocalProvider(messenger), config, base, messages)
        finally:
            store.close()
            messenger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2_000)
    args = parser.parse_args()
    print(f"ingest · {args.messages} messages in {args.threads} threads · {machine()}")
    for label, bench in (("feed (store only)", bench_feed), ("local messenger", bench_local)):
        rate = bench(args.messages, args.threads)
        verdict = "PASS" if rate >= 2000 else "MISS"
        print(f"  {label:<20} {rate:8.0f} msg/s   target ≥ 2,000  {verdict}")


if __name__ == "__main__":
    main()
