"""Startup stays cheap: what a command imports, checked structurally (bench/startup.py times it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.config import load_config
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.startup import HEAVY_FOR_HELP, HEAVY_FOR_THREADS, loaded, probe


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    run = probe(tmp_path, "--help")
    assert run.exit == 0
    assert "Usage: sprechstunde" in run.stdout
    assert "threads" in run.stdout
    # The probe sees the real thing: every command module is registered.
    assert {
        "typer",
        "sprechstunde_cli.cli.threads.show",
        "sprechstunde_cli.cli.hour.open",
    } <= run.modules
    assert loaded(run, *HEAVY_FOR_HELP) == []
    assert loaded(run, "sprechstunde_cli.store", "sprechstunde_cli.services") == []


def test_threads_without_a_session_imports_nothing_heavy(tmp_path: Path, config_file: Path) -> None:
    run = probe(tmp_path, "threads")
    assert run.exit == ExitCode.NOT_FOUND
    assert "No session is open" in run.stderr
    assert {"sqlite3", "sprechstunde_cli.store.store"} <= run.modules  # it did reach the store
    assert loaded(run, *HEAVY_FOR_THREADS) == []


def _open_session_with_threads(count: int) -> None:
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


def test_threads_table_imports_the_table_but_not_the_live_view(
    tmp_path: Path, config_file: Path
) -> None:
    _open_session_with_threads(3)
    run = probe(tmp_path, "threads")
    assert run.exit == 0, run.stderr
    assert "Frage 2 zur Schaukel" in run.stdout
    assert "rich.table" in run.modules
    assert loaded(run, *HEAVY_FOR_THREADS) == []


@pytest.mark.parametrize("command", ["threads", "reply", "open", "sandbox"])
def test_command_help_imports_nothing_heavy(tmp_path: Path, command: str) -> None:
    run = probe(tmp_path, command, "--help")
    assert run.exit == 0
    assert f"Usage: sprechstunde {command}" in run.stdout
    assert loaded(run, *HEAVY_FOR_HELP) == []
