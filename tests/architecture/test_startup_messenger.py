"""What `show`, `reply` and `followup --list` load of the messenger, delivery and hand-offs.

`show` and `reply` open the session's messenger (a read receipt, a send); neither receives,
deletes or sends a file, so neither creates the classes only those need (docs/PERFORMANCE.md).
`followup --list` only reads: it loads nothing of recording or delivering a hand-off.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.config import load_config
from sprechstunde_cli.domain.handoffs import Consent
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.store import Store, handoffs
from sprechstunde_cli.system.paths import resolve_paths

# Runs the CLI's entry point in a fresh interpreter, its stdout a pipe, then lists what got
# imported and which dataclasses providers/ created. argv: [-c, result file, JSON arguments].
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
    if name.startswith("sprechstunde_cli.providers")
    for value in vars(module).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name
)
with open(out, "w", encoding="utf-8") as handle:
    json.dump({"exit": code, "modules": sorted(sys.modules), "made": made}, handle)
"""

# What every caller of a messenger needs (providers/base/__init__.py), the local messenger's
# settings, and the registry's entries: nothing else of providers/ is worth creating here.
COMMON = {
    "providers.base.Capabilities",
    "providers.base.Sent",
    "providers.base.ProviderContext",
    "providers.local.settings.LocalSettings",
    "providers.registry.ProviderEntry",
}
# Only receiving, deleting, sending a file, the purge or a sandbox citizen's phone need these.
NOT_FOR_ONE_THREAD = (
    "sprechstunde_cli.providers.base.events",
    "sprechstunde_cli.providers.base.media",
    "sprechstunde_cli.providers.base.deletion",
    "sprechstunde_cli.providers.local.events",
    "sprechstunde_cli.providers.local.phone",
    "sprechstunde_cli.domain.places",
    "sprechstunde_cli.services.delivery_progress",
    "sprechstunde_cli.store.outbox_sent",
)
# The sending half of hand-offs and what only it needs (text.py would bring hashlib too).
SENDING_HANDOFFS = (
    "sprechstunde_cli.services.handoff.recording",
    "sprechstunde_cli.services.handoff.deliver",
    "sprechstunde_cli.services.handoff.text",
    "sprechstunde_cli.services.changes",
    "sprechstunde_cli.services.delivery",
    "sprechstunde_cli.store.outbox",
    "sprechstunde_cli.providers.base",
)


def _probe(tmp_path: Path, *args: str) -> tuple[int, str, set[str], set[str]]:
    result_file = tmp_path / "probe.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(result_file), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result_file.exists(), f"probe crashed:\n{proc.stderr}"
    found = json.loads(result_file.read_text(encoding="utf-8"))
    assert found["exit"] == 0, proc.stderr
    return found["exit"], proc.stdout, set(found["modules"]), set(found["made"])


def _open_session_with_a_handoff(threads: int) -> None:
    paths = resolve_paths()  # SPRECHSTUNDE_CONFIG / SPRECHSTUNDE_DATA_DIR from `isolated`
    spec = load_config(paths.config_file).session("mittwoch")
    store = Store.open(paths.store_file)
    try:
        store.ensure_session(spec)
        store.transition(spec.id, SessionState.OPEN, spec.start, "test", opened_at=spec.start)
        with store.write() as conn:
            for n in range(threads):
                store.add_inbound(
                    conn,
                    spec.id,
                    provider_id=f"m{n}",
                    chat=f"+49 170 0000{n:03d}",
                    display_name="",
                    at=spec.start + timedelta(seconds=n),
                    kind=MessageKind.TEXT,
                    body=f"Frage {n} zur Schaukel im Park",
                    media=None,
                )
            handoffs.insert(
                store,
                conn,
                spec.id,
                thread=1,
                department="Grünflächenamt",
                email="frieda@example.org",
                question="Frage 0 zur Schaukel im Park",
                note="",
                consent=Consent.OPERATOR,
                operator="test",
                now=spec.start + timedelta(minutes=5),
            )
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [(("show", "2"), "Frage 1 zur Schaukel"), (("reply", "2", "Danke!"), "Sent to thread 2.")],
)
def test_one_thread_creates_only_the_messengers_common_classes(
    tmp_path: Path, config_file: Path, args: tuple[str, ...], said: str
) -> None:
    _open_session_with_a_handoff(3)
    _, stdout, modules, made = _probe(tmp_path, *args)
    assert said in stdout
    assert "sprechstunde_cli.providers.local.provider" in modules  # it did open the messenger
    assert "providers.base.Capabilities" in made
    assert made <= COMMON, sorted(made - COMMON)
    assert sorted(modules.intersection(NOT_FOR_ONE_THREAD)) == []


def test_listing_handoffs_loads_nothing_that_records_or_delivers_them(
    tmp_path: Path, config_file: Path
) -> None:
    _open_session_with_a_handoff(3)
    _, stdout, modules, _made = _probe(tmp_path, "followup", "--list")
    assert "f•••@example.org" in stdout  # the listing itself ran, address masked
    assert "1 outstanding" in stdout
    assert "sprechstunde_cli.services.handoff" in modules
    assert sorted(modules.intersection(SENDING_HANDOFFS)) == []
