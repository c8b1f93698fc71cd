"""Run every bench and print one report (the figures in docs/PERFORMANCE.md come from here).

    .venv/bin/python -m bench.run_all [--quick] [--no-matrix]

Each bench runs in its own process (`python -m bench.<name>` from the repository root), so
one's imports and memory do not colour another's. `--quick` uses smaller sizes (a smoke run,
not the figures); `--no-matrix` leaves out the Matrix latency bench, which starts a real Synapse
(bash scripts/synapse-venv installs it). A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repository root: `bench` and `tests` import

BENCHES: list[tuple[str, list[str], list[str]]] = [
    # (module in bench/, arguments for the figures, arguments for --quick)
    ("startup", [], ["--runs", "5", "--big", "400"]),
    ("ingest", [], ["--messages", "4000", "--threads", "400"]),
    ("live_view", [], ["--threads", "400", "--messages", "4000", "--frames", "20"]),
    ("memory", [], ["--messages", "4000", "--threads", "400"]),
    ("purge_scale", [], ["--threads", "400"]),
    ("matrix_latency", [], ["--messages", "20"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--no-matrix", action="store_true", help="skip the Synapse bench")
    args = parser.parse_args()
    started = time.perf_counter()
    for name, full, quick in BENCHES:
        module = f"bench.{name}"
        if args.no_matrix and name == "matrix_latency":
            print(f"== {module}: skipped (--no-matrix)\n")
            continue
        argv = [sys.executable, "-m", module, *(quick if args.quick else full)]
        print(f"== {module} {' '.join(argv[3:])}".rstrip(), flush=True)
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            print(f"  FAILED (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        print(flush=True)
    print(f"all benches: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
