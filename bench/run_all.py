"""Run every bench and print one report (the figures in docs/PERFORMANCE.md come from here).

    .venv/bin/python bench/run_all.py [--quick] [--no-matrix]

Each bench runs in its own process, so one's imports and memory do not colour another's.
`--quick` uses smaller sizes (a smoke run, not the figures); `--no-matrix` leaves out the
Matrix latency bench, which starts a real Synapse (bash scripts/synapse-venv installs it).
A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHES: list[tuple[str, list[str], list[str]]] = [
    # (script, arguments for the figures, arguments for --quick)
    ("startup.py", [], ["--runs", "5"]),
    ("ingest.py", [], ["--messages", "4000", "--threads", "400"]),
    ("live_view.py", [], ["--frames", "20"]),
    ("memory.py", [], ["--messages", "4000", "--threads", "400"]),
    ("purge_scale.py", [], ["--threads", "400"]),
    ("matrix_latency.py", [], ["--messages", "20"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--no-matrix", action="store_true", help="skip the Synapse bench")
    args = parser.parse_args()
    started = time.perf_counter()
    for script, full, quick in BENCHES:
        if args.no_matrix and script == "matrix_latency.py":
            print("== matrix_latency.py: skipped (--no-matrix)\n")
            continue
        argv = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"== {script} {' '.join(argv[2:])}".rstrip(), flush=True)
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            print(f"  FAILED (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        print(flush=True)
    print(f"all benches: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
