"""Every `sprechstunde …` example in the README runs as shown against the config `init` writes.

Each code block is one scenario in fresh folders, in the order the README gives; each inline
example runs on its own after `init`. The clock stands in the example session's hour
(`beispiel`, Wednesday 2 December 2026, 16:00–17:00). What the README leaves to the world is
done in between: citizens write (on the local messenger), the files the rehearsal sends exist.
A command that runs until Ctrl-C (`open`, `tail`, `standby`) runs one pass of the same loop
(`--once`).
Every example must succeed: an example that fails in the state the README describes is a
wrong example.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprechstunde_cli.cli import app
from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png
from tests.support.cli import Plugs
from tests.support.clocks import IN_THE_HOUR, FakeClock

README = Path(__file__).parents[2] / "README.md"
UNTIL_CTRL_C = {"open", "tail", "standby"}
# Placeholders in the command table and prose (SESSION, N, PROVIDER): syntax, not examples.
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]+\b|\bN\b")


def blocks(text: str) -> Iterator[list[str]]:
    """The indented code blocks' `sprechstunde` lines, block by block."""
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("    sprechstunde "):
            block.append(line.strip())
        elif block and not line.startswith("    "):
            yield block
            block = []


def inline(text: str) -> list[str]:
    found = re.findall(r"`(sprechstunde [^`]*)`", text)
    return sorted({c for c in found if not PLACEHOLDER.search(c.removeprefix("sprechstunde"))})


TEXT = README.read_text(encoding="utf-8")
BLOCKS = list(blocks(TEXT))
INLINE = inline(TEXT)


def argv(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    assert words[0] == "sprechstunde"
    args = words[1:]
    if args and args[0] in UNTIL_CTRL_C and "--once" not in args:
        args.append("--once")
    return args


class Shell:
    def __init__(self, plugs: Plugs) -> None:
        plugs.clock = FakeClock(IN_THE_HOUR)
        self.plugs = plugs
        self.runner = CliRunner()
        self.log: list[str] = []

    def __call__(self, *args: str) -> None:
        # What the operator types at a prompt: `login` asks for a password (hidden input).
        typed = "Geheimes-Passwort-1\n" if args[:1] == ("login",) else ""
        result = self.runner.invoke(app, list(args), input=typed, obj=self.plugs.wiring())
        self.log.append(f"$ sprechstunde {' '.join(args)} -> {result.exit_code}")
        assert result.exit_code == 0, (
            f"sprechstunde {' '.join(args)} exited {result.exit_code}\n"
            f"{result.stdout}\n{result.stderr}\n" + "\n".join(self.log)
        )

    def citizens_write(self) -> None:
        """Six citizens write in; the sixth leaves an e-mail address for a department."""
        for n in range(1, 6):
            self("sandbox", "send", "--from", f"+49 170 000000{n}", f"Frage Nummer {n}")
        self("sandbox", "send", "--from", "+49 170 0000006", "Bitte an anna@example.org")
        self("open", "--once")


@pytest.fixture
def shell(plugs: Plugs, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Shell:
    monkeypatch.chdir(isolated)
    (isolated / "foto.png").write_bytes(make_png(40, 30, (200, 30, 30)))
    (isolated / "frage.ogg").write_bytes(make_ogg_opus(2.0))
    return Shell(plugs)


def test_the_readme_has_examples_to_run() -> None:
    assert len(BLOCKS) >= 2 and sum(map(len, BLOCKS)) >= 15
    assert "sprechstunde open beispiel" in INLINE


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b[0])
def test_each_code_block_runs_as_shown(shell: Shell, block: list[str]) -> None:
    if argv(block[0])[:1] != ["init"]:
        shell("init")
    for line in block:
        args = argv(line)
        shell(*args)
        if args[:1] == ["open"] and not any(a.startswith("sandbox") for a in block):
            shell.citizens_write()  # the hour is open: citizens write in


@pytest.mark.parametrize("example", INLINE)
def test_each_inline_example_runs_as_shown(shell: Shell, example: str) -> None:
    args = argv(example)
    if args[:1] != ["init"]:
        shell("init")
    shell(*args)
