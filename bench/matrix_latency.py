"""Citizen send → message committed in the store, through the Matrix provider and the intake.

    .venv/bin/python -m bench.matrix_latency [--messages 60] [--warmup 5]

Starts a real Synapse on loopback (the test suite's helper, tests/support/synapse.py; needs
`bash scripts/synapse-venv`), then measures the same citizen's messages twice:

- bare:  a plain httpx `/sync` long-poll loop that only notices the event;
- open:  what `sprechstunde open` runs, `Hour.step` in a loop: `Provider.receive` (long-poll),
         intake (store + commit + cursor), outbox delivery.

Reports median and p95 of each and the ratio open/bare (target ≤ 1.2×). A report, not a gate:
it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from tests.support.synapse import Account, MatrixClient, Synapse, synapse_python, unique

from sprechstunde_cli.config import parse_config
from sprechstunde_cli.providers.matrix.client import MatrixApi, http_client
from sprechstunde_cli.providers.matrix.events import sync_filter
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.services.hour import Hour, open_session
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.credentials import Secret

LONG_POLL_MS = 30_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(
    citizen: MatrixClient,
    room: str,
    count: int,
    arrived: Callable[[str], bool],
    label: str,
) -> list[float]:
    """Send `count` messages one after the other; time each until `arrived(marker)`."""
    latencies = []
    for i in range(count):
        marker = f"{label}-{i}-{unique('m')}"
        started = time.perf_counter()
        citizen.send(room, {"msgtype": "m.text", "body": marker})
        while not arrived(marker):
            time.sleep(0.0005)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)  # let the receiver settle back into its long-poll
    return latencies


class BareLoop:
    """The baseline: the least a Matrix client must do to see a message."""

    def __init__(self, server: Synapse, office: Account) -> None:
        self.http = httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {office.access_token}"},
            timeout=LONG_POLL_MS / 1000 + 10,
        )
        self.seen: set[str] = set()
        self.stop = threading.Event()
        self.since = self.http.get("/_matrix/client/v3/sync", params={"timeout": 0}).json()[
            "next_batch"
        ]

    def run(self) -> None:
        while not self.stop.is_set():
            body = self.http.get(
                "/_matrix/client/v3/sync",
                # The provider's own filter: the baseline does no more work than it must.
                params={"since": self.since, "timeout": LONG_POLL_MS, "filter": sync_filter(50)},
            ).json()
            self.since = body["next_batch"]
            for room in body.get("rooms", {}).get("join", {}).values():
                for event in room.get("timeline", {}).get("events", []):
                    self.seen.add(event.get("content", {}).get("body", ""))


class OpenLoop:
    """`sprechstunde open`'s loop: Hour.step with a long-poll, into a real store.

    Everything lives in the loop's own thread: a SQLite connection belongs to its thread.
    """

    def __init__(self, make: Callable[[], tuple[Hour, Store]]) -> None:
        self.make = make
        self.stored: set[str] = set()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            hour, store = self.make()
            last = 0
            while not self.stop.is_set():
                report = hour.step(datetime.now(UTC), wait=LONG_POLL_MS / 1000)
                if report.intake.stored:
                    new = store.messages(hour.session_id, after_id=last)
                    last = new[-1].id
                    with self.lock:
                        self.stored.update(m.body for m in new)
            hour.provider.close()
            store.close()
        except BaseException as exc:
            self.failure = exc
            raise

    def has(self, marker: str) -> bool:
        if self.failure is not None:
            raise RuntimeError("the open loop failed") from self.failure
        with self.lock:
            return marker in self.stored


def config_text(start: datetime) -> str:
    def local(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    return f"""
[office]
name = "Bench"
timezone = "UTC"
[hour]
poll_seconds = 1
[sessions.bench]
title = "Bench"
official = "Bench"
start = {local(start)}
end = {local(start + timedelta(hours=1))}
provider = "matrix"
"""


def summary(label: str, values: list[float]) -> str:
    return (
        f"{label:<6} n={len(values):<4} median {statistics.median(values):7.1f} ms"
        f"   p95 {percentile(values, 0.95):7.1f} ms   min {min(values):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    python = synapse_python()
    if python is None:
        print("Synapse is not installed: run bash scripts/synapse-venv first.")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = Synapse(root / "synapse", python).start()
        try:
            run(server, root, args.messages, args.warmup)
        finally:
            server.stop()
    return 0


def run(server: Synapse, root: Path, count: int, warmup: int) -> None:
    office = server.register(unique("office"))
    citizen = server.client(server.register(unique("anna")))
    room = citizen.create_dm(office.user_id)

    # The office side as `open` runs it (the provider joins the citizen's invite itself).
    def make() -> tuple[Hour, Store]:
        # The client the registry's factory builds (User-Agent, timeouts, no redirects).
        client = http_client(server.url, Secret(office.access_token))
        settings = MatrixSettings(server.url, office.user_id, device_id=office.device_id)
        provider = MatrixProvider(settings, MatrixApi(client))
        store = Store.open(root / "store.db")
        now = datetime.now(UTC)
        config = parse_config(tomllib.loads(config_text(now - timedelta(minutes=1))))
        open_session(store, config.session("bench"), now, actor="bench")
        return Hour(store, provider, config, "bench", root / "media"), store

    opened = OpenLoop(make)
    worker = threading.Thread(target=opened.run, daemon=True)
    worker.start()
    measure(citizen, room, warmup, opened.has, "warm")  # join, first thread, greeting
    open_ms = measure(citizen, room, count, opened.has, "open")
    opened.stop.set()
    citizen.send(room, {"msgtype": "m.text", "body": "stop"})  # wake the long-poll
    worker.join(timeout=5)

    bare = BareLoop(server, office)
    worker = threading.Thread(target=bare.run, daemon=True)
    worker.start()
    measure(citizen, room, warmup, bare.seen.__contains__, "warm")
    bare_ms = measure(citizen, room, count, bare.seen.__contains__, "bare")
    bare.stop.set()
    citizen.send(room, {"msgtype": "m.text", "body": "stop"})  # wake the long-poll
    worker.join(timeout=5)

    version = os.popen(f"{server.python} -c 'import synapse; print(synapse.__version__)'").read()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        f"Synapse {version.split()[0] if version else '?'} (SQLite, loopback)"
    )
    print("citizen send → seen (bare /sync loop) / committed in the store (open's loop)")
    print(summary("bare", bare_ms))
    print(summary("open", open_ms))
    ratio = statistics.median(open_ms) / statistics.median(bare_ms)
    ratio95 = percentile(open_ms, 0.95) / percentile(bare_ms, 0.95)
    verdict = "within" if ratio <= 1.2 else "OVER"
    print(f"ratio open/bare: median {ratio:.2f}×, p95 {ratio95:.2f}× ({verdict} the 1.2× target)")
    citizen.close()


if __name__ == "__main__":
    raise SystemExit(main())
