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

# Mail: what only sending e-mail needs (~10 ms), never loading the config or reading the store.
MAIL = ("smtplib", "ssl", "email", "email.message", "email.utils")
# Randomness: `secrets` brings `hmac` and OpenSSL's hashlib (~4 ms); only what makes a key, a
# nonce or an id needs it.
RANDOM = ("secrets", "hmac")
# What a command that reads the store and prints into a pipe does without: the network, the
# keyring, Rich (the same lines are written plain: render/plain.py), mail, randomness.
NETWORK = ("httpx", "keyring", "pydantic", "rich.live")
# Each costs milliseconds to tens of them and is needed by none of these commands.
HEAVY_FOR_HELP = (
    *NETWORK, "rich", "rich.table", "sqlite3", "cryptography", "sprechstunde_cli.config", *MAIL,
    *RANDOM,
)  # fmt: skip
# `threads` shows each thread's last line, which is stored encrypted: it needs cryptography.
# (`rich.cells` it uses, to measure text as Rich does; that is light.)
HEAVY_FOR_THREADS = (*NETWORK, "rich.console", "rich.table", "rich.text", *MAIL, *RANDOM)
# Reading a thread opens the messenger (into a pipe it is written without Rich, as `threads` is).
HEAVY_FOR_READING = (*NETWORK, *MAIL, *RANDOM)


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
