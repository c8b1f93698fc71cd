"""The root: its list of commands holds their own help texts and imports none; it starts cheaply.

`COMMANDS` in cli/__init__.py holds each command's help a second time (its docstring, a group's
`help=`) so that `sprechstunde --help` lists the commands without importing their modules;
tests/cli/test_help.py checks the list reads exactly as the built commands would make it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from sprechstunde_cli import cli
from sprechstunde_cli.cli import COMMANDS
from tests.support.startup import loaded, probe

# The modules of the cli package that every start imports: the root, not a command.
ROOT_MODULES = {
    "sprechstunde_cli.cli",
    "sprechstunde_cli.cli.click_texts",
    "sprechstunde_cli.cli.funnel",
}


def _own_help(name: str) -> str | None:
    module, attr, _help = COMMANDS[name]
    target: Any = getattr(importlib.import_module(f"sprechstunde_cli.cli.{module}"), attr)
    if isinstance(target, typer.Typer):
        # A group's help is its `help=`, translated where it is declared (English in tests).
        return typer.main.solve_typer_info_help(typer.models.TyperInfo(target))
    return inspect.getdoc(target)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_listed_help_is_the_commands_own(name: str) -> None:
    assert COMMANDS[name][2] == _own_help(name), (
        f"{name}: the help in COMMANDS (cli/__init__.py) differs from the command's own; "
        "copy the command's docstring there"
    )


def test_the_root_help_imports_no_command(tmp_path: Path) -> None:
    run = probe(tmp_path, "--help")
    assert run.exit == 0
    assert "Show one thread's messages and mark them read." in run.stdout  # the list is there
    cli_modules = {m for m in run.modules if m.startswith("sprechstunde_cli.cli")}
    assert cli_modules == ROOT_MODULES
    # Nor what every command's run needs: the application, the shared options, the errors.
    assert loaded(run, "sprechstunde_cli.errors", "sprechstunde_cli.system.clock") == []


# Runs the CLI with `args` and prints, as JSON, every file under the package's locale/ it opened.
CATALOGUES_OPENED = """
import json, sys
from sprechstunde_cli.i18n import LOCALE_DIR
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith(str(LOCALE_DIR)):
        opened.append(args[0])
sys.addaudithook(hook)
sys.argv = ["sprechstunde", *json.loads(sys.argv[1])]
from sprechstunde_cli.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout = sys.__stderr__
print(json.dumps(opened), file=sys.__stdout__)
"""


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
@pytest.mark.parametrize("language", ["en", "de"])
def test_only_another_language_than_english_reads_a_catalogue(
    monkeypatch: pytest.MonkeyPatch, language: str, args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_LANG", language)
    proc = subprocess.run(
        [sys.executable, "-c", CATALOGUES_OPENED, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    opened = json.loads(proc.stdout.splitlines()[-1])
    # The msgids are English: English opens no catalogue; German opens its own.
    if language == "en":
        assert opened == []
    else:
        assert opened and all("/de/LC_MESSAGES/" in path for path in opened), opened


def test_the_root_signature_is_read_without_compiling_strings() -> None:
    # Typer reads the root's signature twice on every start (also --help and --version); a string
    # annotation (`from __future__ import annotations`) is compiled and evaluated each time.
    strings = {name: a for name, a in cli.root.__annotations__.items() if isinstance(a, str)}
    assert strings == {}, "cli/__init__.py must not use `from __future__ import annotations`"


def test_a_built_command_signature_holds_no_strings() -> None:
    # The same for a command: `_build` evaluates its string annotations once before Typer reads
    # them (twice).
    root: Any = typer.main.get_command(cli.app)
    ctx = typer.Context(root)
    sandbox = root.get_command(ctx, "sandbox")  # a group: each of its commands too
    commands = {name: root.get_command(ctx, name) for name in ("threads", "show", "reply", "tail")}
    commands |= {f"sandbox {name}": command for name, command in sandbox.commands.items()}
    assert "sandbox send" in commands
    for name, command in commands.items():
        original = getattr(command.callback, "__wrapped__", command.callback)
        assert [a for a in original.__annotations__.values() if isinstance(a, str)] == [], name
