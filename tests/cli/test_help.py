"""Help text is the manual: every command and parameter explains itself."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from sprechstunde_cli.cli import COMMANDS as ROOT_COMMANDS
from sprechstunde_cli.cli import app
from tests.support.cli import Sp


def _walk_commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    # Asked the way the parser asks: the root builds each command when it is first looked up.
    ctx = typer.Context(command)
    for name in sorted(command.list_commands(ctx)):
        yield from _walk_commands(command.get_command(ctx, name), f"{path} {name}")


COMMANDS = list(_walk_commands(typer.main.get_command(app), "sprechstunde"))
COMMAND_IDS = [
    path.removeprefix("sprechstunde").strip().replace(" ", "/") or "root" for path, _ in COMMANDS
]


def test_the_command_tree_is_found() -> None:
    paths = {path for path, _ in COMMANDS}
    assert {"sprechstunde", "sprechstunde threads", "sprechstunde reply"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_command_help_is_a_sentence(path: str, command: Any) -> None:
    lines = (command.help or "").strip().splitlines()
    first = lines[0].strip() if lines else ""
    assert first, f"{path}: no help text"
    assert first[0].isupper(), f"{path}: help should start with a capital: {first!r}"
    assert first.endswith("."), f"{path}: help's first line should end with '.': {first!r}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_every_option_and_argument_is_explained(path: str, command: Any) -> None:
    params = [p for p in command.params if p.name not in {"ctx", "help"}]
    missing = [p.name for p in params if not (getattr(p, "help", None) or "").strip()]
    assert missing == [], f"{path}: no help for {missing}"
    # An env var nobody is told about is no use; Typer prints it only with show_envvar.
    hidden_env = [
        p.name
        for p in params
        if getattr(p, "envvar", None) and not getattr(p, "show_envvar", False)
    ]
    assert hidden_env == [], f"{path}: envvar not shown in --help for {hidden_env}"


def test_version_and_help(sp: Sp) -> None:
    assert sp("--version").stdout.startswith("sprechstunde ")
    help_text = sp("--help").stdout
    for command in (
        "open",
        "threads",
        "show",
        "reply",
        "claim",
        "release",
        "tail",
        "close",
        "purge",
        "sandbox",
        "demo",
        "login",
        "logout",
        "init",
    ):
        assert command in help_text


# The root's help as `--help` prints it (the list from COMMANDS), then again with every command
# built and translated as running it would: the list must not tell the two apart.
LISTED_AND_BUILT = """
import json, sys
import typer
from sprechstunde_cli.cli import COMMANDS as ROOT_COMMANDS
from sprechstunde_cli.cli import app
root = typer.main.get_command(app)
ctx = typer.Context(root, info_name="sprechstunde")
listed = root.get_help(ctx)
for name in root.list_commands(ctx):
    root.get_command(ctx, name)  # built, and kept: the list now shows the built command
print(json.dumps([listed, root.get_help(ctx), sorted(root.commands)]))
"""


@pytest.mark.parametrize("columns", ["100", "60"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_root_list_reads_as_the_built_commands_would_make_it(
    monkeypatch: pytest.MonkeyPatch, language: str, columns: str
) -> None:
    # Click cuts each help to fit the width: a narrow terminal cuts more of them.
    monkeypatch.setenv("SPRECHSTUNDE_LANG", language)
    monkeypatch.setenv("COLUMNS", columns)
    proc = subprocess.run(
        [sys.executable, "-c", LISTED_AND_BUILT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    listed, built, commands = json.loads(proc.stdout)
    assert len(commands) == len(ROOT_COMMANDS)  # every command was built for the second one
    assert listed == built
    shown = {"en": "Release your claim on a thread.", "de": "Ihre Übernahme eines Chats freigeben."}
    assert f"  release   {shown[language]}\n" in listed
