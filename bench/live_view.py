"""Live view: the time `open` spends on one frame of its screen with 2,000 threads.

    .venv/bin/python -m bench.live_view [--threads 2000] [--frames 60]

A frame is what `open` does between two screen updates besides receiving: read the threads
from the store and order them by waiting time (`services.threads.thread_list`: one query,
the last line of each thread unsealed), build `render.threads.live_view` (only the rows that
fit: 40 lines here) and render it to a terminal-sized console. Target ≤ 30 ms. A report, not a
gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._world import SESSION, fill, hour_now, machine, open_store
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.render.threads import live_view
from sprechstunde_cli.services.threads import thread_list
from sprechstunde_cli.store import Store

WIDTH, HEIGHT = 120, 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    print(f"live view · {args.threads} threads · {WIDTH}×{HEIGHT} terminal · {machine()}")
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        _, config = hour_now(base)
        store = Store.open(base / "data" / "sprechstunde.db")
        now = datetime.now(UTC)
        open_store(store, config, now)
        fill(store, args.threads, 2, now)
        session = store.require_session(SESSION)
        sink = io.StringIO()
        console = make_console(file=sink, width=WIDTH)
        parts = {"store": [], "render": []}  # type: dict[str, list[float]]
        totals = []
        for frame in range(args.frames + 3):
            started = time.perf_counter()
            rows = thread_list(store, session)
            read = time.perf_counter()
            view = live_view(session, rows, now=now, status="bench", height=HEIGHT - 2)
            console.print(view)
            done = time.perf_counter()
            sink.seek(0)
            sink.truncate()
            if frame >= 3:  # warm-up frames are not counted
                parts["store"].append(read - started)
                parts["render"].append(done - read)
                totals.append(done - started)
        store.close()
    median = statistics.median(totals) * 1000
    p90 = sorted(totals)[int(0.9 * len(totals)) - 1] * 1000
    print(
        f"  frame: fastest {min(totals) * 1000:.1f} ms, median {median:.1f} ms, p90 {p90:.1f} ms "
        f"(store {statistics.median(parts['store']) * 1000:.1f} ms, "
        f"render {statistics.median(parts['render']) * 1000:.1f} ms)   target ≤ 30 ms  "
        f"{'PASS' if median <= 30 else 'MISS'}"
    )


if __name__ == "__main__":
    main()
