"""Time how fast `sprechstunde` starts, side by side with a Typer hello-world on the same machine.

    .venv/bin/python -m bench.startup [--runs 15] [--threads 50] [--big 2000] [--profile]

A report, not a gate: it always exits 0. Each command's median is compared with a Typer
hello-world with plain help (two commands, one option), timed in the same rounds: that is the
floor while the tool stays on Typer. Targets (issue "Fast at every size"): `--help` and
`--version` ≤ 1.1× the hello's `--help`; `threads`, `show`, `reply` (local messenger),
`tail --once`, `followup --list` at 50 threads ≤ 1.5× the hello running a command; `threads` at
2,000 threads and `show` of a 400-message thread ≤ 2×. The stores are filled the way `open`
takes messages in: citizens write through the local messenger, interleaved, and `Hour.step`
stores them. The runs go round-robin (one run of every command per round), so a busy moment
of a shared machine falls on all of them alike; the `paired` column is the median of the
ratios within a round, steadier where the machine switches between a fast and a slow spell
for seconds at a time (the verdict stays on the ratio of the medians, as the issue states it).
The code timed is this tree's (`src/`).
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
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._world import SESSION, config_text, take_in
from sprechstunde_cli.config import parse_config
from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths

PYTHON = sys.executable
SCRIPT = str(Path(sys.executable).parent / "sprechstunde")
SRC = Path(__file__).resolve().parents[1] / "src"
HELLO = """import typer

app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command()
def hello(name: str = typer.Option("world", help="Whom to greet.")) -> None:
    \"\"\"Say hello.\"\"\"
    typer.echo(f"Hello {name}")


@app.command()
def bye() -> None:
    \"\"\"Say goodbye.\"\"\"
    typer.echo("Bye")


app()
"""


@dataclass(frozen=True)
class Case:
    label: str
    argv: list[str]  # after the program: the console script, or the hello for a reference
    store: str = "small"  # which store the command runs against: "small" or "big"
    against: str = ""  # the reference's label; "" for a reference
    target: float | None = None  # allowed multiple of that reference


def cases(threads: int, big: int) -> list[Case]:
    run, help_ = "hello hello", "hello --help"
    small = f"{threads} threads"
    return [
        Case("python -c pass", ["-c", "pass"]),
        Case(help_, ["--help"]),
        Case(run, ["hello", "--name", "Erika"]),
        Case("--help", ["--help"], against=help_, target=1.1),
        Case("--version", ["--version"], against=help_, target=1.1),
        Case(f"threads ({small})", ["threads"], against=run, target=1.5),
        Case("show 2", ["show", "2"], against=run, target=1.5),
        Case("reply 3", ["reply", "3", "Danke, wir kümmern uns."], against=run, target=1.5),
        Case("tail --once", ["tail", "--once"], against=run, target=1.5),
        Case("followup --list", ["followup", "--list"], against=run, target=1.5),
        Case(f"threads ({big} threads)", ["threads"], "big", against=run, target=2.0),
        Case("show 1 (400 messages)", ["show", "1"], "big", against=run, target=2.0),
    ]


@dataclass(frozen=True)
class Timing:
    fastest: float  # on a busy machine the fastest run shows the floor the others share
    median: float
    p90: float
    rounds: tuple[float, ...]  # each round's run, in round order (for ratios within a round)


def paired(case: Timing, reference: Timing) -> float:
    """The median of the ratios within a round: a shared machine that runs slow for a while
    slows a command and its reference alike, so the ratio of adjacent runs holds steadier than
    the ratio of the two medians."""
    return statistics.median(c / r for c, r in zip(case.rounds, reference.rounds, strict=True))


def write_fixture(base: Path, threads: int, messages: int, long_thread: int = 0) -> dict[str, str]:
    """A config with one session and a store where it is open, filled by intake."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    text = config_text(now - timedelta(minutes=5), now + timedelta(minutes=55))
    config = base / "config.toml"
    config.write_text(text, encoding="utf-8")
    paths = resolve_paths(config, base / "data")
    parsed = parse_config(tomllib.loads(text), config)
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        store.ensure_session(parsed.session(SESSION))
        opened = datetime.now(UTC)
        store.transition(SESSION, SessionState.OPEN, opened, "bench", opened_at=opened)
        take_in(base, store, parsed, messages, threads, long_thread=long_thread)
    finally:
        store.close()
    return {
        "SPRECHSTUNDE_CONFIG": str(config),
        "SPRECHSTUNDE_DATA_DIR": str(paths.data_dir),
        "SPRECHSTUNDE_OPERATOR": "bench",
    }


def command(case: Case, hello: Path) -> list[str]:
    if case.against:
        return [SCRIPT, *case.argv]
    if case.label.startswith("hello"):
        return [PYTHON, str(hello), *case.argv]
    return [PYTHON, *case.argv]


def run_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(argv[1:])} exited {proc.returncode}: {err}")
    return elapsed


def measure(
    all_cases: list[Case], hello: Path, envs: dict[str, dict[str, str]], runs: int
) -> dict[str, Timing]:
    samples: dict[str, list[float]] = {c.label: [] for c in all_cases}
    for round_ in range(runs + 1):  # round 0 warms the page cache and .pyc files: not counted
        for case in all_cases:
            elapsed = run_once(command(case, hello), envs[case.store])
            if round_:
                samples[case.label].append(elapsed)
    timings = {}
    for label, rounds in samples.items():
        found = sorted(rounds)
        # Nearest-rank p90: with 15 runs that is the 14th fastest.
        p90 = found[max(0, -(-9 * len(found) // 10) - 1)]
        timings[label] = Timing(found[0], statistics.median(found), p90, tuple(rounds))
    return timings


_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class Imported:
    name: str
    self_ms: float
    cumulative_ms: float
    importer: str  # "" for a top-level import


def importtime(case: Case, env: dict[str, str]) -> list[Imported]:
    """Every module the command imports, with its importer, from `python -X importtime`."""
    # The console script's entry point, run under -X.
    entry = f"import sys; sys.argv = ['sprechstunde', *{case.argv!r}]; "
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
        f"{platform.platform()} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f}"
    )


def environment(base: Path, fixture: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **fixture}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100", "LINES": "60"})
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PYTHONPATH"] = str(SRC)  # this tree's code, whatever the venv has installed
    # Installed packages run from cached bytecode; without a cache every run would time the
    # compiler. A private prefix gives that without writing __pycache__ into the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    return env


def report(all_cases: list[Case], timings: dict[str, Timing]) -> None:
    base = timings[all_cases[0].label].median
    head = f"{'command':<28}{'fastest':>10}{'median':>10}{'p90':>10}{'× pass':>8}{'× hello':>9}"
    print(f"{head}{'paired':>8}  target (on × hello, the ratio of the medians)")
    for case in all_cases:
        t = timings[case.label]
        ratio = t.median / timings[case.against].median if case.against else None
        pair = paired(t, timings[case.against]) if case.against else None
        verdict = "(reference)" if ratio is None or case.target is None else (
            f"≤ {case.target:g}× {case.against}  {'PASS' if ratio <= case.target else 'MISS'}"
        )  # fmt: skip
        print(
            f"{case.label:<28}{t.fastest * 1000:>8.1f}ms{t.median * 1000:>8.1f}ms"
            f"{t.p90 * 1000:>8.1f}ms{t.median / base:>7.1f}×"
            f"{'' if ratio is None else f'{ratio:.2f}×':>9}"
            f"{'' if pair is None else f'{pair:.2f}×':>8}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--threads", type=int, default=50, help="threads in the small store")
    parser.add_argument("--big", type=int, default=2000, help="threads in the big store")
    parser.add_argument("--profile", action="store_true", help="add -X importtime totals")
    args = parser.parse_args()

    print(f"sprechstunde startup · {args.runs} rounds · {machine()}")
    if not Path(SCRIPT).exists():
        print(f"MISSING: no console script at {SCRIPT}; install the package into this venv.")
        return
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        hello = base / "hello.py"
        hello.write_text(HELLO, encoding="utf-8")
        (base / "small").mkdir()
        (base / "big").mkdir()
        envs = {
            "small": environment(
                base, write_fixture(base / "small", args.threads, 2 * args.threads)
            ),
            "big": environment(base, write_fixture(base / "big", args.big, 10 * args.big, 400)),
        }
        print(
            f"stores filled by intake: {args.threads} threads / {2 * args.threads} messages; "
            f"{args.big} threads / {10 * args.big} messages + 400 in thread 1\n"
        )
        all_cases = cases(args.threads, args.big)
        try:
            timings = measure(all_cases, hello, envs, args.runs)
        except RuntimeError as exc:
            print(f"FAILED: {exc}")
            return
        report(all_cases, timings)
        if args.profile:
            for case in all_cases:
                if case.against:
                    print_profile(case, envs[case.store])


if __name__ == "__main__":
    main()
