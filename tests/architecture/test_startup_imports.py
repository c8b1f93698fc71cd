"""Startup stays cheap: what a command imports, checked structurally (bench/startup.py times it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.services.demo.samples import make_png
from tests.support.startup import (
    HEAVY_FOR_HELP,
    HEAVY_FOR_READING,
    HEAVY_FOR_THREADS,
    MAIL,
    RANDOM,
    loaded,
    open_session_with_threads,
    probe,
)

# A command's module: built only when the command runs or a help page lists it.
COMMAND_MODULES = (
    "sprechstunde_cli.cli.threads.show",
    "sprechstunde_cli.cli.threads.threads",
    "sprechstunde_cli.cli.hour.open",
    "sprechstunde_cli.cli.closing.purge",
    "sprechstunde_cli.cli.sandbox",
)


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    run = probe(tmp_path, "--help")
    assert run.exit == 0
    assert "Usage: sprechstunde" in run.stdout
    assert "threads" in run.stdout
    assert "typer" in run.modules  # the probe sees the real thing
    # The list comes from COMMANDS: no command is built (tests/architecture/test_command_help.py).
    assert loaded(run, *COMMAND_MODULES, "sprechstunde_cli.cli.application") == []
    assert loaded(run, *HEAVY_FOR_HELP) == []
    assert loaded(run, "sprechstunde_cli.store", "sprechstunde_cli.services") == []


def test_threads_without_a_session_imports_nothing_heavy(tmp_path: Path, config_file: Path) -> None:
    run = probe(tmp_path, "threads")
    assert run.exit == ExitCode.NOT_FOUND
    assert "No session is open" in run.stderr
    assert {"sqlite3", "sprechstunde_cli.store.store"} <= run.modules  # it did reach the store
    assert loaded(run, *HEAVY_FOR_THREADS) == []


def test_threads_into_a_pipe_imports_neither_rich_nor_mail_nor_randomness(
    tmp_path: Path, config_file: Path
) -> None:
    open_session_with_threads(3)
    run = probe(tmp_path, "threads")  # the probe's stdout is a pipe
    assert run.exit == 0, run.stderr
    assert "Frage 2 zur Schaukel" in run.stdout
    assert "cryptography.hazmat.bindings._rust" in run.modules  # it did unseal
    # AES-GCM alone, not the package of every other cipher and mode (store/crypto.py aes_gcm).
    assert loaded(run, "cryptography.hazmat.primitives.ciphers") == []
    assert loaded(run, *HEAVY_FOR_THREADS) == []
    # Of all the commands, only its own was built.
    assert loaded(run, *COMMAND_MODULES) == ["sprechstunde_cli.cli.threads.threads"]
    # What was imported before the command ran is out of the collector's reach: no full
    # collection walks Typer and Click again while the rows are built (cli/__init__.py main).
    assert run.frozen > 10_000


# Values none of the commands that read or answer a thread use: planning (the config's
# sessions), intake (what storing a citizen's message did), the live view's page, the whole
# config. Each frozen dataclass costs about a millisecond to create at import.
# By class name: wherever such a class is defined, creating it is the cost.
COLD_VALUES = frozenset({"SessionSpec", "ThreadPage", "Inserted", "Changed", "Config"})


# Reading no message: neither a message's values nor `show`'s view of a thread; listing no
# threads: no row of the thread views; asking for no single thread: no ThreadInfo.
NO_MESSAGE = frozenset({"MessageRecord", "MediaInfo", "ThreadView"})
NO_ROWS = frozenset({"ThreadRow"})


@pytest.mark.parametrize(
    ("args", "also_cold"),
    [
        (("threads",), NO_MESSAGE | {"ThreadInfo"}),
        (("show", "2"), NO_ROWS),
        (("reply", "2", "Danke, wir kümmern uns."), NO_MESSAGE | NO_ROWS),
        (("tail", "--once"), NO_ROWS),
        (("followup", "--list"), NO_MESSAGE | NO_ROWS | {"ThreadInfo"}),
    ],
)
def test_reading_and_answering_create_no_value_they_do_not_use(
    tmp_path: Path, config_file: Path, args: tuple[str, ...], also_cold: frozenset[str]
) -> None:
    open_session_with_threads(3)
    assert probe(tmp_path, "threads").exit == 0  # checks the config and remembers it
    run = probe(tmp_path, *args)
    assert run.exit == 0, run.stderr
    assert "domain.model.SessionRecord" in run.dataclasses  # the probe sees what was created
    made = {name.rsplit(".", 1)[-1] for name in run.dataclasses}
    assert sorted(made & (COLD_VALUES | also_cold)) == []


def test_showing_a_thread_again_builds_no_messenger(tmp_path: Path, config_file: Path) -> None:
    open_session_with_threads(3)
    first = probe(tmp_path, "show", "2")
    assert first.exit == 0, first.stderr
    # Unread messages: the read receipt goes out through the messenger.
    assert "sprechstunde_cli.providers.local.provider" in first.modules
    again = probe(tmp_path, "show", "2")
    assert again.exit == 0, again.stderr
    assert again.stdout == first.stdout
    # Nothing unread: no receipt to send, so no messenger is built (services/reading.py).
    assert loaded(again, "sprechstunde_cli.providers.registry", "tomllib") == []


def test_version_builds_no_command(tmp_path: Path) -> None:
    run = probe(tmp_path, "--version")
    assert run.exit == 0
    assert run.stdout.startswith("sprechstunde ")
    assert loaded(run, *COMMAND_MODULES) == []
    assert loaded(run, *HEAVY_FOR_HELP, "sprechstunde_cli.cli.application") == []


@pytest.mark.parametrize(
    ("args", "rich"),
    [
        (("show", "2"), False),  # into a pipe: plain lines (render/message_lines.py)
        (("tail", "--once"), False),  # into a pipe: plain lines (render/tail_line.py)
        (("followup", "--list"), False),  # status lines: plain into a pipe
        (("threads", "--json"), False),
    ],
)
def test_reading_commands_import_no_mail_no_network_no_randomness(
    tmp_path: Path, config_file: Path, args: tuple[str, ...], rich: bool
) -> None:
    open_session_with_threads(3)
    run = probe(tmp_path, *args)
    assert run.exit == 0, run.stderr
    assert loaded(run, *HEAVY_FOR_READING) == []
    assert ("rich.console" in run.modules) is rich


def test_reply_needs_no_mail_and_no_secrets_module(tmp_path: Path, config_file: Path) -> None:
    open_session_with_threads(3)
    run = probe(tmp_path, "reply", "2", "Danke!")
    assert run.exit == 0, run.stderr
    assert "Sent to thread 2." in run.stdout
    # The sealed copy's nonce comes from os.urandom (store/crypto.py), as `secrets` would.
    assert loaded(run, *MAIL, *RANDOM, "httpx", "keyring", "rich.console") == []


def test_loading_the_example_config_with_mail_imports_no_mail_library(tmp_path: Path) -> None:
    # The example with its [mail] section switched on: checked without the mail libraries.
    example = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    block = example[example.index("# [mail]") :].split("\n\n", 1)[0]
    config = tmp_path / "with-mail.toml"
    config.write_text(example.replace(block, block.replace("# ", "")), encoding="utf-8")
    code = (
        "import json, sys, pathlib\n"
        "from sprechstunde_cli.config import load_config\n"
        f"assert load_config(pathlib.Path({str(config)!r})).mail is not None\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout))
    assert "sprechstunde_cli.config.mail" in modules  # the [mail] section was read
    assert sorted(modules & {*MAIL, *RANDOM, "rich", "httpx", "keyring"}) == []


@pytest.mark.parametrize("command", ["threads", "reply", "open", "sandbox"])
def test_command_help_imports_nothing_heavy(tmp_path: Path, command: str) -> None:
    run = probe(tmp_path, command, "--help")
    assert run.exit == 0
    assert f"Usage: sprechstunde {command}" in run.stdout
    assert loaded(run, *HEAVY_FOR_HELP) == []


def test_a_store_command_checks_the_config_once_and_writes_no_log(
    tmp_path: Path, config_file: Path
) -> None:
    open_session_with_threads(3)
    first = probe(tmp_path, "threads")
    assert first.exit == 0, first.stderr
    assert "sprechstunde_cli.config.load" in first.modules  # the whole file was checked
    again = probe(tmp_path, "threads")
    assert again.exit == 0, again.stderr
    assert again.stdout == first.stdout
    # Unchanged since its check (config/checked.py): not read again. Nothing was logged, so
    # logging was never set up (system/logs.py).
    assert loaded(again, "sprechstunde_cli.config.load", "tomllib", "logging") == []
    # A store at the current schema version loads no migration step (store/db.py).
    assert loaded(again, "sprechstunde_cli.store.migrations") == []
    assert loaded(first, "logging") == []


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("show", "2"), "Frage 1 zur Schaukel"),
        (("reply", "2", "Danke, wir kümmern uns."), "Sent to thread 2."),
        (("reply", "3", "Der Plan", "--attach", "plan.png"), "Sent to thread 3."),
    ],
)
def test_show_and_reply_read_only_their_sections_of_a_checked_config(
    tmp_path: Path, config_file: Path, args: tuple[str, ...], shown: str
) -> None:
    open_session_with_threads(3)
    (tmp_path / "plan.png").write_bytes(make_png(8, 8, (0, 0, 0)))
    assert probe(tmp_path, "threads").exit == 0  # checks the config and remembers it
    run = probe(tmp_path, *(str(tmp_path / a) if a == "plan.png" else a for a in args))
    assert run.exit == 0, run.stderr
    assert shown in run.stdout
    # cli/sections.py: the messenger's section (and `[hour]` for a file) read alone, by the
    # same readers; no Config is built, so not every section's reader is imported.
    assert loaded(run, "sprechstunde_cli.config.load", "sprechstunde_cli.config.model") == []
