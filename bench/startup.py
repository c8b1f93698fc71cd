"""Time how fast `sprechstunde` starts, relative to a bare `python -c pass` on the same machine.

    .venv/bin/python -m bench.startup [--runs 15] [--threads 50] [--profile]

A report, not a gate: it always exits 0. Ratios of medians against the bare interpreter make the
numbers comparable across machines; the targets come from the startup issue (--help ≤ 8×,
threads ≤ 10×).
`--profile` adds a `python -X importtime` breakdown: what the app imports, and who imports it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import load_config
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths

PYTHON = sys.executable
SCRIPT = str(Path(sys.executable).parent / "sprechstunde")
TIMEZONE = "Europe/Berlin"
SESSION = "bench"


@dataclass(frozen=True)
class Case:
    label: str
    argv: list[str]
    target: float | None  # allowed multiple of `python -c pass`; None: reference only
    expect_exit: int = 0


CASES = [
    Case("python -c pass", [PYTHON, "-c", "pass"], None),
    Case("python -c 'import typer'", [PYTHON, "-c", "import typer"], None),
    Case("sprechstunde --help", [SCRIPT, "--help"], 8.0),
    Case("sprechstunde threads", [SCRIPT, "threads"], 10.0),
]


@dataclass(frozen=True)
class Timing:
    fastest: float  # on a busy machine the fastest run shows the floor the others share
    median: float
    p90: float


def write_fixture(base: Path, threads: int) -> dict[str, str]:
    """A config with one session and a store where that session is open with `threads` threads."""
    zone = ZoneInfo(TIMEZONE)
    now = datetime.now(zone).replace(second=0, microsecond=0)
    start, end = now - timedelta(minutes=5), now + timedelta(minutes=55)
    config = base / "config.toml"
    config.write_text(
        f'[office]\nname = "Stadt Musterstadt"\ntimezone = "{TIMEZONE}"\n\n'
        f"[sessions.{SESSION}]\n"
        'title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"\n'
        'official = "Oberbürgermeisterin Erika Mustermann"\n'
        f"start = {start:%Y-%m-%dT%H:%M:%S}\nend = {end:%Y-%m-%dT%H:%M:%S}\n"
        'provider = "local"\n',
        encoding="utf-8",
    )
    paths = resolve_paths(config, base / "data")
    spec = load_config(config).session(SESSION)
    store = Store.open(paths.store_file)
    try:
        store.ensure_session(spec)
        opened = datetime.now(UTC)
        store.transition(SESSION, SessionState.OPEN, opened, "bench", opened_at=opened)
        with store.write() as conn:
            for n in range(threads):
                # Fictitious numbers only (+49 000 …); two messages per thread, one left unread.
                for m in range(2):
                    store.add_inbound(
                        conn,
                        SESSION,
                        provider_id=f"bench-{n}-{m}",
                        chat=f"+49 000 {n:07d}",
                        display_name=f"Bürgerin {n}",
                        at=opened + timedelta(seconds=n * 7 + m),
                        kind=MessageKind.TEXT,
                        body=f"Frage {n}: Wann wird der Spielplatz an der Parkstraße saniert?",
                        media=None,
                    )
    finally:
        store.close()
    return {
        "SPRECHSTUNDE_CONFIG": str(config),
        "SPRECHSTUNDE_DATA_DIR": str(paths.data_dir),
        "SPRECHSTUNDE_OPERATOR": "bench",
    }


def run_once(case: Case, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(case.argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != case.expect_exit:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{case.label} exited {proc.returncode}: {err}")
    return elapsed


def measure(case: Case, env: dict[str, str], runs: int) -> Timing:
    run_once(case, env)  # warm the page cache and .pyc files; not counted
    samples = sorted(run_once(case, env) for _ in range(runs))
    # Nearest-rank p90: with 15 runs that is the 14th fastest.
    p90 = samples[max(0, -(-9 * len(samples) // 10) - 1)]
    return Timing(samples[0], statistics.median(samples), p90)


_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class Imported:
    name: str
    self_ms: float
    cumulative_ms: float
    importer: str  # "" for a top-level import


def importtime(case: Case, env: dict[str, str]) -> list[Imported]:
    """Every module the command imports, with its importer, from `python -X importtime`."""
    if case.argv[0] == PYTHON:
        argv = [PYTHON, "-X", "importtime", *case.argv[1:]]
    else:  # the console script: same entry point, run under -X
        entry = f"import sys; sys.argv = ['sprechstunde', *{case.argv[1:]!r}]; "
        entry += "from sprechstunde_cli.cli import main; main()"
        argv = [PYTHON, "-X", "importtime", "-c", entry]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    found: list[Imported] = []
    stack: list[str] = []
    # importtime prints a module after everything it imported; read backwards to see the importer
    # before its imports. Indent is 1 + 2 per level.
    for line in reversed(proc.stderr.splitlines()):
        match = _IMPORTTIME.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, name = match.groups()
        level = (len(indent) - 1) // 2
        del stack[level:]
        found.append(
            Imported(
                name, int(self_us) / 1000, int(cumulative_us) / 1000, stack[-1] if stack else ""
            )
        )
        stack.append(name)
    return found


def print_profile(case: Case, env: dict[str, str]) -> None:
    found = importtime(case, env)
    total = sum(i.cumulative_ms for i in found if not i.importer)
    ours = [i for i in found if i.name.startswith("sprechstunde_cli")]
    print(
        f"\n-X importtime, {case.label}: {total:.0f} ms of imports, "
        f"{sum(i.self_ms for i in ours):.0f} ms of it in sprechstunde_cli's own modules"
    )
    # What our modules pull in directly: the imports a lazy import inside a function would save.
    pulled = sorted((i for i in found if i.importer.startswith("sprechstunde_cli")
                     and not i.name.startswith("sprechstunde_cli")),
                    key=lambda i: i.cumulative_ms, reverse=True)  # fmt: skip
    print("  third-party/stdlib imported by the app (cumulative ms ← importer):")
    for i in pulled[:8]:
        print(f"    {i.cumulative_ms:7.1f}  {i.name} ← {i.importer}")
    # Imports made while a command runs (inside functions) show up with no importer.
    startup = ("site", "encodings", "_frozen_importlib_external", "zipimport", "io", "_signal")
    late = [i for i in found if not i.importer and not i.name.startswith(startup)]
    print("  top-level imports: the entry point, and imports inside functions (cumulative ms):")
    print(
        "    " + ", ".join(f"{i.name} {i.cumulative_ms:.1f}" for i in late if i.cumulative_ms >= 1)
    )
    print("  the app's own modules (self ms):")
    for i in sorted(ours, key=lambda i: i.self_ms, reverse=True)[:6]:
        print(f"    {i.self_ms:7.1f}  {i.name} ← {i.importer or '(entry)'}")


def machine() -> str:
    return (
        f"python {platform.python_version()} ({platform.python_implementation()}) · "
        f"{platform.platform()} · {os.cpu_count()} CPUs · {PYTHON}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--threads", type=int, default=50, help="threads in the open session")
    parser.add_argument("--profile", action="store_true", help="add -X importtime totals")
    args = parser.parse_args()

    print(f"sprechstunde startup · {args.runs} runs each · {machine()}")
    if not Path(SCRIPT).exists():
        print(f"MISSING: no console script at {SCRIPT}; install the package into this venv.")
        return
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        env = {**os.environ, **write_fixture(Path(tmp), args.threads)}
        env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100", "LINES": "60"})
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        # Installed packages run from cached bytecode; without a cache every run would time the
        # compiler. A private prefix gives that without writing __pycache__ into the source tree.
        if env.pop("PYTHONDONTWRITEBYTECODE", None):
            print("note: PYTHONDONTWRITEBYTECODE is set here; the bench caches bytecode anyway")
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        print(f"threads renders an open session with {args.threads} threads\n")
        try:
            timings = {case.label: measure(case, env, args.runs) for case in CASES}
        except RuntimeError as exc:
            print(f"FAILED: {exc}")
            return
        base = timings[CASES[0].label].median
        print(f"{'command':<28}{'fastest':>10}{'median':>10}{'p90':>10}{'× pass':>9}  target")
        for case in CASES:
            t = timings[case.label]
            ratio = t.median / base
            verdict = (
                "(reference)" if case.target is None
                else f"≤ {case.target:g}×  {'PASS' if ratio <= case.target else 'MISS'}"
            )  # fmt: skip
            print(
                f"{case.label:<28}{t.fastest * 1000:>8.1f}ms{t.median * 1000:>8.1f}ms"
                f"{t.p90 * 1000:>8.1f}ms"
                f"{ratio:>8.1f}×  {verdict}"
            )
        if args.profile:
            for case in CASES[2:]:
                print_profile(case, env)


if __name__ == "__main__":
    main()
