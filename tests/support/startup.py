"""What a command imports at startup, probed in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Runs the console script's entry point in a fresh interpreter, then lists what got imported.
# argv: [-c, result file, JSON list of arguments].
PROBE = """
import json, sys
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["sprechstunde", *args]
from sprechstunde_cli.cli import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
with open(out, "w", encoding="utf-8") as handle:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, handle)
"""

# Each costs tens of milliseconds to import and is needed by none of these commands.
HEAVY_FOR_HELP = (
    "httpx", "keyring", "rich", "rich.live", "rich.table", "sqlite3", "pydantic", "cryptography",
)  # fmt: skip
# `threads` shows each thread's last line, which is stored encrypted: it needs cryptography.
HEAVY_FOR_THREADS = ("httpx", "keyring", "rich.live", "pydantic")


@dataclass(frozen=True)
class Run:
    exit: int
    stdout: str
    stderr: str
    modules: frozenset[str]


def probe(tmp_path: Path, *args: str) -> Run:
    result_file = tmp_path / "modules.json"
    # The environment comes from conftest's `isolated`: tmp config and data dir, no colour.
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(result_file), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result_file.exists(), f"probe crashed:\n{proc.stderr}"
    found = json.loads(result_file.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    return Run(found["exit"], proc.stdout, proc.stderr, frozenset(found["modules"]))


def loaded(run: Run, *names: str) -> list[str]:
    return [name for name in names if name in run.modules]
