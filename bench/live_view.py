"""Live view: the time `open` spends on one frame of its screen, at 2,000 threads.

    .venv/bin/python -m bench.live_view [--threads 2000] [--messages 20000] [--frames 60]

The store is filled the way `open` takes messages in: citizens write through the local
messenger, interleaved (each thread's messages lie between the others'), and `Hour.step` stores
them. A frame is what `open` does between two screen updates besides receiving: ask the store
for the threads that fit the screen, longest-waiting first, and the counts
(`services.threads.thread_page`), build `render.threads.live_view` and render it to a
terminal-sized console. The first frame is reported on its own: a fresh store and console,
after what `open` does before it (it prints that it opened the session and takes one step),
then the others. For comparison, the frame the way it was
built before (every thread read and sorted, `thread_list`). Target ≤ 10 ms, the first frame
included. A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench._world import SESSION, hour_now, machine, open_store, take_in
from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.render.console import Redacted, citizen_text, make_console
from sprechstunde_cli.render.threads import live_room, live_view
from sprechstunde_cli.services.hour import Hour
from sprechstunde_cli.services.threads import thread_list, thread_page
from sprechstunde_cli.store import Store

WIDTH, HEIGHT = 120, 40
TARGET_MS = 10.0


def as_open_starts(base: Path, store: Store, config: Config, console: Console) -> None:
    """What `open` does before its first frame: the line that it opened, and one step (which
    receives nothing new here, and opens the session's key as intake does)."""
    messenger = LocalMessenger(base / "data" / "local-messenger.db")
    try:
        console.print(citizen_text(f"Resumed session '{SESSION}' on local."), soft_wrap=True)
        Hour(store, LocalProvider(messenger), config, SESSION, base / "media").step(
            datetime.now(UTC), 0.0
        )
    finally:
        messenger.close()


def frames(
    store: Store, session: SessionRecord, console: Console, count: int, paged: bool
) -> tuple[float, list[float]]:
    """The first frame's time and the next `count` frames' times, in seconds."""
    sink = console.file
    assert isinstance(sink, io.StringIO)
    now = datetime.now(UTC)
    height = HEIGHT - 2
    times = []
    for _ in range(count + 1):
        started = time.perf_counter()
        threads = (
            thread_page(store, session, live_room(height)) if paged else thread_list(store, session)
        )
        console.print(live_view(session, threads, now=now, status=Redacted("bench"), height=height))
        times.append(time.perf_counter() - started)
        sink.seek(0)
        sink.truncate()
    return times[0], times[1:]


def line(label: str, first: float, rest: list[float], verdict: Callable[[float], str]) -> str:
    median = statistics.median(rest) * 1000
    p90 = sorted(rest)[max(0, int(0.9 * len(rest)) - 1)] * 1000
    worst = max(first * 1000, median)
    return (
        f"  {label:<26} first {first * 1000:6.1f} ms · then fastest {min(rest) * 1000:.1f}, "
        f"median {median:.1f}, p90 {p90:.1f} ms   {verdict(worst)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    print(
        f"live view · {args.threads} threads, {args.messages} messages by intake · "
        f"{WIDTH}×{HEIGHT} terminal · {machine()}"
    )
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        _, config = hour_now(base)
        db = base / "data" / "sprechstunde.db"
        store = Store.open(db)
        open_store(store, config, datetime.now(UTC))
        take_in(base, store, config, args.messages, args.threads)
        store.close()
        for label, paged in (("page (what open does)", True), ("every thread (before)", False)):
            # A fresh store object: nothing cached from the intake or from the other run.
            store = Store.open(db)
            console = make_console(file=io.StringIO(), width=WIDTH)
            as_open_starts(base, store, config, console)
            session = store.require_session(SESSION)
            first, rest = frames(store, session, console, args.frames, paged)
            store.close()
            verdict = (
                (lambda ms: f"target ≤ {TARGET_MS:g} ms  {'PASS' if ms <= TARGET_MS else 'MISS'}")
                if paged
                else (lambda ms: "(reference)")
            )
            print(line(label, first, rest, verdict))


if __name__ == "__main__":
    main()
