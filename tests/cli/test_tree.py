"""The command tree: one module per command, named after it, each command explaining itself."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import sprechstunde_cli.cli as cli_package
from sprechstunde_cli.cli import app

ROOT: Any = typer.main.get_command(app)
# Modules of the cli package that are machinery, not commands.
MACHINERY = {"application", "click_texts", "funnel", "messenger", "options", "sections"}
# Third-person or gerund first words: "Lists …", "Showing …" describe instead of command.
NOT_IMPERATIVE = {"This", "The", "A", "An", "Command", "Used", "Will"}


def is_group(command: Any) -> bool:
    # Typer vendors Click: a group is a command with sub-commands.
    return isinstance(getattr(command, "commands", None), dict)


def subcommands(group: Any) -> dict[str, Any]:
    """A group's commands, as --help and the parser find them (the root builds them lazily)."""
    ctx = typer.Context(group)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}


def walk(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for name, command in subcommands(group).items():
        path = (*prefix, name)
        if is_group(command):
            yield from walk(command, path)
        else:
            yield " ".join(path), command


LEAVES = dict(walk(ROOT))
GROUPS = {name: c for name, c in subcommands(ROOT).items() if is_group(c)}


def command_modules() -> Iterator[tuple[str, str]]:
    """(dotted module name, last part) of every module under cli/ that is not machinery."""
    for info in pkgutil.walk_packages(cli_package.__path__, f"{cli_package.__name__}."):
        last = info.name.rpartition(".")[2]
        if info.ispkg or last in MACHINERY:
            continue
        yield info.name, last


def test_the_tree_has_the_commands_of_every_part_of_the_hour() -> None:
    assert {"open", "threads", "reply", "close", "purge", "announce", "check", "demo"} <= set(
        LEAVES
    )
    assert {"sandbox send", "sandbox call", "sandbox inbox", "sandbox status"} <= set(LEAVES)
    assert set(GROUPS) == {"sandbox"}


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_each_command_is_defined_in_a_module_named_after_it(path: str) -> None:
    command = LEAVES[path]
    name = path.split()[-1]
    callback = command.callback
    # Typer wraps the function; the original keeps its module and name.
    original = getattr(callback, "__wrapped__", callback)
    module = original.__module__
    assert module.startswith("sprechstunde_cli.cli."), module
    assert module.rpartition(".")[2] == name, f"{path}: defined in {module}"
    # `open` shadows a builtin, so its function is `open_`; every other one is the name itself.
    assert original.__name__.rstrip("_") == name, f"{path}: function {original.__name__}"
    assert getattr(importlib.import_module(module), original.__name__) is original


def test_open_lives_in_the_hour_folder_as_open_() -> None:
    original = LEAVES["open"].callback
    original = getattr(original, "__wrapped__", original)
    assert (original.__module__, original.__name__) == ("sprechstunde_cli.cli.hour.open", "open_")


def test_sandbox_commands_live_in_the_sandbox_folder() -> None:
    for path, command in LEAVES.items():
        if path.startswith("sandbox "):
            original = getattr(command.callback, "__wrapped__", command.callback)
            assert original.__module__.startswith("sprechstunde_cli.cli.sandbox."), path


def test_every_command_module_is_registered_as_its_command() -> None:
    names = {path.split()[-1] for path in LEAVES}
    modules = dict(command_modules())
    assert modules, "no command modules found"
    orphans = sorted(module for module, last in modules.items() if last not in names)
    assert orphans == [], f"modules named after no command: {orphans}"


def test_no_two_commands_share_a_module() -> None:
    seen: dict[str, str] = {}
    for path, command in LEAVES.items():
        original = getattr(command.callback, "__wrapped__", command.callback)
        module = original.__module__
        assert module not in seen, f"{path} and {seen.get(module)} share {module}"
        seen[module] = path


def test_the_root_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = {
        line.split()[0]
        for line in result.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ") and line.strip()
    }
    assert listed == set(subcommands(ROOT))


def test_the_sandbox_help_lists_its_commands() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--help"])
    assert result.exit_code == 0
    listed = {
        line.split()[0]
        for line in result.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ") and line.strip()
    }
    assert listed == {"send", "delete", "edit", "leave", "call", "inbox", "status"}


def first_line(command: Any) -> str:
    lines = (command.help or "").strip().splitlines()
    return lines[0].strip() if lines else ""


@pytest.mark.parametrize("path", sorted([*LEAVES, *GROUPS]))
def test_each_command_help_starts_with_an_imperative_sentence(path: str) -> None:
    command = LEAVES.get(path) or GROUPS[path]
    line = first_line(command)
    assert line, f"{path}: no help"
    word = line.split()[0].strip(",.:;")
    assert word[0].isupper(), f"{path}: {line!r}"
    assert line.endswith("."), f"{path}: {line!r}"
    assert word not in NOT_IMPERATIVE, f"{path}: {line!r}"
    # "Lists", "Shows", "Sends" describe; "List", "Show", "Send" command. ("Pass" is a verb.)
    assert not (word.endswith("s") and not word.endswith("ss")), f"{path}: {line!r}"
    assert not word.endswith("ing"), f"{path}: {line!r}"


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_every_option_and_argument_has_help(path: str) -> None:
    command = LEAVES[path]
    missing = [
        p.name
        for p in command.params
        if p.name not in {"ctx", "help"} and not (getattr(p, "help", None) or "").strip()
    ]
    assert missing == [], f"{path}: no help for {missing}"


def test_the_root_options_have_help() -> None:
    missing = [p.name for p in ROOT.params if not (getattr(p, "help", None) or "").strip()]
    assert missing == []
