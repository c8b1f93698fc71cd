"""Purge at scale: 2,000 threads against a messenger that allows R requests per second.

    .venv/bin/python -m bench.purge_scale [--threads 2000] [--rate 500] [--latency 0.02]
                                           [--concurrency 16]

The server (tests/support/ratelimit_fake.py) admits at most R requests in any one second and
answers 429 above that; every request takes `latency` seconds. The purge needs 3 requests per
thread (delete the messages, remove the chat, list again), so no client can finish the provider
step faster than 3·threads/R: that is the bound. One request at a time would take
3·threads·latency. Reported: the provider step against the bound (target ≤ 1.1×), the 429s
(target 0: never over the limit), the most requests in flight, and the whole purge with local
deletion and the verification scan. A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.ratelimit_fake import Limit, RateLimitedProvider, RateLimitedServer

from bench._world import SESSION, fill, hour_now, machine, open_store
from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.services import purge as purge_mod
from sprechstunde_cli.store import Store


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2_000)
    parser.add_argument("--rate", type=float, default=500.0, help="R: requests per second")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=16, help="declared calls in flight")
    args = parser.parse_args()
    print(
        f"purge · {args.threads} threads · R = {args.rate:g}/s · {args.latency * 1000:g} ms per "
        f"request · up to {args.concurrency} in flight · {machine()}"
    )
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        _, config = hour_now(base)
        data = base / "data"
        store = Store.open(data / "sprechstunde.db")
        now = datetime.now(UTC)
        open_store(store, config, now)
        fill(store, args.threads, 2, now)
        server = RateLimitedServer(
            Limit(int(args.rate)), time.time, time.sleep, latency=args.latency
        )
        # The server holds exactly what the store references: chat and ids per thread.
        for chat, ids in store.provider_refs(SESSION).items():
            server.chats[chat] = set(ids)
        store.transition(SESSION, SessionState.CLOSING, now, "bench")
        store.transition(SESSION, SessionState.CLOSED, now, "bench", closed_at=now)
        provider = RateLimitedProvider(
            server, declared_rate=args.rate, concurrency=args.concurrency
        )
        phase: dict[str, float] = {}
        # `purge` calls the provider step by the name it imported from purge/remote.py.
        real = purge_mod.delete_remote

        def timed(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                phase["provider"] = time.perf_counter() - started

        purge_mod.delete_remote = timed  # the bench times the step from outside
        places = purge_mod.Places(data, data / "sessions" / SESSION, data / "log" / "x.log", base)
        started = time.perf_counter()
        receipt = purge_mod.purge(
            store, provider, config, SESSION, WallClock(), places=places, mailer=None
        )
        total = time.perf_counter() - started
        store.close()
    if "provider" not in phase:
        print("  FAILED: purge no longer calls services.purge.delete_remote; time it elsewhere")
        return
    bound = server.requests / args.rate
    ratio = phase["provider"] / bound
    result = receipt.providers[0]
    verification = receipt.verification
    print(
        f"  provider step: {phase['provider']:.2f} s for {server.requests} requests; bound "
        f"{bound:.2f} s; ratio {ratio:.3f}×   target ≤ 1.1×  "
        f"{'PASS' if ratio <= 1.1 and server.rejected == 0 else 'MISS'}"
    )
    print(
        f"  429s: {server.rejected} (target 0) · most in flight: {server.max_in_flight} · "
        f"one at a time would take {server.requests * args.latency:.1f} s"
    )
    print(
        f"  whole purge: {total:.2f} s (receipt ok: {result.ok}, deleted "
        f"{result.confirmed} of {result.requested}, {result.chats_removed} chats; "
        f"verification {verification.result}, {verification.searched_for} needles over "
        f"{verification.bytes_scanned / 2**20:.1f} MB)"
    )


if __name__ == "__main__":
    main()
