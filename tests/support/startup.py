"""What a command imports at startup, probed in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sprechstunde_cli.config import load_config
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths

# Runs the console script's entry point in a fresh interpreter, then lists what got imported
# and the dataclasses the package created. argv: [-c, result file, JSON list of arguments].
PROBE = """
import dataclasses, json, sys
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["sprechstunde", *args]
from sprechstunde_cli.cli import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
made = sorted(
    f"{name.removeprefix('sprechstunde_cli.')}.{value.__qualname__}"
    for name, module in list(sys.modules.items())
    if name.startswith("sprechstunde_cli")
    for value in vars(module).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name
)
import gc
frozen = gc.get_freeze_count()
with open(out, "w", encoding="utf-8") as handle:
    json.dump(
        {"exit": code, "modules": sorted(sys.modules), "dataclasses": made, "frozen": frozen},
        handle,
    )
"""

# Mail: what only sending e-mail needs (~10 ms), never loading the config or reading the store.
MAIL = ("smtplib", "ssl", "email", "email.message", "email.utils")
# Randomness: `secrets` brings `hmac` and OpenSSL's hashlib (~4 ms); only what makes a lease or
# a file name needs it (keys and nonces come from os.urandom: store/crypto.py).
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
    # "providers.base.Capabilities": the package's dataclasses this run created (each costs
    # about half a millisecond to create at import).
    dataclasses: frozenset[str] = frozenset()
    # Objects the run moved out of the collector's reach (gc.freeze in cli/__init__.py main).
    frozen: int = 0


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
    return Run(
        found["exit"],
        proc.stdout,
        proc.stderr,
        frozenset(found["modules"]),
        frozenset(found["dataclasses"]),
        found["frozen"],
    )


def loaded(run: Run, *names: str) -> list[str]:
    return [name for name in names if name in run.modules]


def open_session_with_threads(count: int) -> str:
    """Open the example config's session "mittwoch" with `count` threads; its id."""
    paths = resolve_paths()  # SPRECHSTUNDE_CONFIG / SPRECHSTUNDE_DATA_DIR from `isolated`
    spec = load_config(paths.config_file).session("mittwoch")
    store = Store.open(paths.store_file)
    try:
        store.ensure_session(spec)
        store.transition(spec.id, SessionState.OPEN, spec.start, "test", opened_at=spec.start)
        with store.write() as conn:
            for n in range(count):
                store.add_inbound(
                    conn,
                    spec.id,
                    provider_id=f"m{n}",
                    chat=f"+49 000 0000{n:03d}",
                    display_name="",
                    at=spec.start + timedelta(seconds=n),
                    kind=MessageKind.TEXT,
                    body=f"Frage {n} zur Schaukel im Park",
                    media=None,
                )
    finally:
        store.close()
    return spec.id
