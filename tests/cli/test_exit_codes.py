"""One exit code per situation: an unknown id, a wrong command line, a config in the wrong
encoding; and output to a pipe that is never wrapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp

NOT_FOUND = int(ExitCode.NOT_FOUND)


@pytest.mark.parametrize(
    "args",
    [
        ("open", "nosuch"),
        ("open", "nosuch", "--now"),
        ("receipt", "nosuch"),
        ("stats", "nosuch"),
        ("purge", "nosuch"),
        ("close", "nosuch"),
        ("announce", "nosuch", "--now", "--offset", "week"),
        ("threads", "--session", "nosuch"),
    ],
)
def test_an_unknown_session_is_not_found_everywhere_and_lists_the_known_ids(
    hour_open: Sp, args: tuple[str, ...]
) -> None:
    result = hour_open(*args, expect=NOT_FOUND)
    error, hint = result.stderr.strip().splitlines()[-2:]
    assert error.startswith("Error: No session 'nosuch'")
    # Either the config's ids or this machine's: 'mittwoch' is both.
    assert "known: " in error and "mittwoch" in error
    assert hint.startswith("Hint: ") and "sprechstunde sessions" in hint
    assert "open nosuch" not in result.stderr  # never "open it first" for a typo


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99"),
        ("media", "99"),
        ("followup", "99", "--dept", "Wohngeldamt"),
        ("reply", "99", "Danke"),
        ("claim", "99"),
    ],
)
def test_an_unknown_thread_is_not_found(hour_open: Sp, args: tuple[str, ...]) -> None:
    result = hour_open(*args, expect=NOT_FOUND)
    assert "no thread 99" in result.stderr
    assert "e-mail address" not in result.stderr


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("open", "--bogus"), "open"),
        (("--bogus",), ""),
        (("nosuchcommand",), ""),
        (("show", "abc"), "show"),
        (("sandbox", "send", "Hallo"), "sandbox send"),
    ],
)
def test_click_usage_errors_carry_a_hint(sp: Sp, args: tuple[str, ...], command: str) -> None:
    result = sp(*args, expect=int(ExitCode.USAGE))
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("Error: ")
    assert lines[-1].startswith("Hint: ")
    assert f"{command} --help".strip() in lines[-1]
    assert result.stderr.count("Hint: ") == 1  # once, though it passed a nested group


def test_no_arguments_shows_the_help_without_a_hint(sp: Sp) -> None:
    result = sp(expect=None)
    assert "Usage:" in result.stdout + result.stderr
    assert "Hint:" not in result.stdout + result.stderr


def test_a_config_saved_in_latin_1_is_named_with_the_fix(sp: Sp, config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    assert "ü" in text  # "Oberbürgermeisterin": a character Latin-1 writes as one byte
    config_file.write_bytes(text.encode("latin-1"))
    result = sp("check", expect=int(ExitCode.CONFIG))
    error, hint = result.stderr.strip().splitlines()[-2:]
    line = text[: text.index("ü")].count("\n") + 1
    assert "not saved as UTF-8" in error and f"line {line}" in error
    assert "save it as UTF-8" in hint
    assert "permission" not in result.stderr
    assert "codec" not in result.stderr


def test_output_to_a_pipe_is_never_wrapped(hour_open: Sp) -> None:
    # COLUMNS is 100 in every test; a pipe has no edge, so a long line stays one line.
    long_text = "Schlagloch " * 30
    hour_open("sandbox", "send", "--from", "anna", long_text.strip())
    hour_open("open", "--once")
    shown = hour_open("show", "2").stdout
    assert any(long_text.strip() in line for line in shown.splitlines()), shown


def test_stats_values_stand_in_one_column(hour_open: Sp) -> None:
    lines = hour_open("stats", "mittwoch").stdout.splitlines()[1:]
    assert len(lines) >= 7
    columns = {len(line) - len(line.split(": ", 1)[1].lstrip()) for line in lines}
    assert len(columns) == 1, lines
