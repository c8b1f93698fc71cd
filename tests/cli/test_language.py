"""The operator interface in German and in English: help, Click's usage errors, our errors.

The language is chosen once per process, so each case runs the CLI in a process of its own
with the locale a terminal would have. In German every error begins with `Fehler:` and every
hint with `Hinweis:`; `SPRECHSTUNDE_LANG` wins over the locale.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.cli import click_texts
from tests.cli.test_help import COMMANDS
from tests.test_i18n import catalogue

GERMAN = {"LANG": "de_DE.UTF-8"}
ENGLISH = {"LANG": "C.UTF-8"}
LOCALE_VARIABLES = ("SPRECHSTUNDE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def run(locale: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "sprechstunde_cli", *args],
        env={**env, **locale},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_in_german() -> None:
    out = run(GERMAN, "--help").stdout
    assert out.startswith("Aufruf: ") and "[OPTIONEN] BEFEHL [ARGUMENTE]..." in out.splitlines()[0]
    assert "Eine Bürgersprechstunde über einen Messenger abhalten." in out
    assert "\nOptionen:\n" in out and "\nBefehle:\n" in out
    assert "Diese Hilfe zeigen und beenden." in out
    assert "Die Nachrichten eines Chats zeigen und als gelesen markieren." in out
    assert "Usage" not in out and "Show this message" not in out


def test_help_in_english() -> None:
    out = run(ENGLISH, "--help").stdout
    assert out.startswith("Usage: ")
    assert "Run a citizens' consultation hour (Bürgersprechstunde) over a messenger." in out
    assert "\nOptions:\n" in out and "\nCommands:\n" in out
    assert "Show this message and exit." in out


def test_a_command_help_in_german() -> None:
    out = run(GERMAN, "show", "--help").stdout
    assert "\nArgumente:\n" in out
    assert "Nummer des Chats, wie `threads` sie zeigt.  [erforderlich]" in out
    assert "ID der Sprechstunde. Standard: die gerade geöffnete." in out


def test_a_click_usage_error_in_german() -> None:
    result = run(GERMAN, "show")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Aufruf: ") and lines[0].endswith(" show [OPTIONEN] {number}")
    assert "Hilfe erhalten Sie mit '" in lines[1]
    assert lines[-2] == "Fehler: Fehlendes Argument 'number'."
    # Click's usage errors carry a hint like every other error, in the same language.
    assert lines[-1].startswith("Hinweis: Prüfen Sie die Befehlszeile; '")
    assert lines[-1].endswith(" show --help' zeigt, was der Befehl erwartet.")


def test_a_click_usage_error_in_english() -> None:
    result = run(ENGLISH, "show")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-2] == "Error: Missing argument 'number'."
    assert result.stderr.splitlines()[-1].startswith("Hint: Check the command line; '")
    assert "Try '" in result.stderr and " show -h' for help." in result.stderr


@pytest.mark.parametrize(
    ("args", "german", "english"),
    [
        (("bogus",), "Fehler: Unbekannter Befehl 'bogus'.", "Error: No such command 'bogus'."),
        (("--bogus",), "Fehler: Unbekannte Option: --bogus", "Error: No such option: --bogus"),
        (
            ("show", "x"),
            "Fehler: Ungültiger Wert für 'number': 'x' ist kein gültiger Wert vom Typ int range.",
            "Error: Invalid value for 'number': 'x' is not a valid int range.",
        ),
    ],
)
def test_click_messages_in_both_languages(args: tuple[str, ...], german: str, english: str) -> None:
    # The last line is the hint (tests/cli/test_exit_codes.py); the error is the one before.
    assert run(GERMAN, *args).stderr.splitlines()[-2] == german
    assert run(ENGLISH, *args).stderr.splitlines()[-2] == english


def test_our_errors_and_hints_in_german(isolated: Path) -> None:
    assert run(GERMAN, "init").returncode == 0
    again = run(GERMAN, "init")
    assert again.returncode == 3
    error, hint = again.stderr.splitlines()
    assert (
        error
        == f"Fehler: Unter {isolated / 'config.toml'} gibt es bereits eine Konfigurationsdatei."
    )
    assert hint.startswith(
        "Hinweis: Bearbeiten Sie diese Datei, oder überschreiben Sie sie mit --force"
    )
    nothing_open = run(GERMAN, "show", "1")
    assert nothing_open.stderr.splitlines() == [
        "Fehler: Keine Sprechstunde ist geöffnet.",
        "Hinweis: Öffnen Sie eine mit: sprechstunde open (oder nennen Sie eine mit --session).",
    ]


def test_our_errors_and_hints_in_english(isolated: Path) -> None:
    assert run(ENGLISH, "init").returncode == 0
    nothing_open = run(ENGLISH, "show", "1")
    assert nothing_open.stderr.splitlines() == [
        "Error: No session is open.",
        "Hint: Start one with: sprechstunde open (or name one with --session).",
    ]


def test_sprechstunde_lang_wins_over_the_locale() -> None:
    english = run({"LANG": "de_DE.UTF-8", "SPRECHSTUNDE_LANG": "en"}, "show").stderr
    assert english.splitlines()[-2] == "Error: Missing argument 'number'."
    german = run({"LC_ALL": "C.UTF-8", "SPRECHSTUNDE_LANG": "de"}, "show").stderr
    assert german.splitlines()[-2] == "Fehler: Fehlendes Argument 'number'."


# --- what the German catalogue must hold for the help and for Click -------------------------


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_help_text_is_in_the_catalogue(path: str, command: Any) -> None:
    # This process speaks English, so each help is its msgid: the extraction must have found it.
    msgids = set(catalogue("de"))
    assert command.help in msgids, f"{path}: its docstring is not extracted (scripts/i18n)"
    for param in command.params:
        if getattr(param, "help", None):
            assert param.help in msgids, f"{path} {param.name}: help not in the catalogue"


def _source(module: object) -> str:
    return inspect.getsource(module)  # type: ignore[arg-type]


def test_the_click_texts_are_still_what_typer_and_click_write() -> None:
    # A Typer upgrade that rewords a message would leave it untranslated: this notices.
    import importlib

    from typer import core

    typer_source = _source(core)
    for msgid in click_texts.TYPER_TEXTS:
        assert f'_("{msgid}")' in typer_source, msgid
    click_source = "".join(
        _source(importlib.import_module(f"typer._click.{name}"))
        for name in ("core", "decorators", "exceptions", "formatting", "parser", "types")
    ) + _source(core)
    for msgid in click_texts.CLICK_MESSAGES:
        # Click builds some of these from pieces: each of its words must still be there.
        words = re.sub(r"\{\w+(![rs])?\}", " ", msgid).split()
        assert [w for w in words if w not in click_source] == [], msgid
    assert click_texts.HELP_OPTION in click_source
    assert 'prefix = "Usage: "' in click_source
    assert f'options_metavar: str | None = "{click_texts.OPTIONS_METAVAR}"' in click_source
    assert f'subcommand_metavar = "{click_texts.SUBCOMMAND_METAVAR}"' in click_source
    assert "Try '{command} {option}' for help." in click_source
