"""The catalogues: current with the code, complete in German, compiled, and a language a file.

`scripts/i18n` extracts every `_()`/`N_()`/`ngettext()` text and each command's docstring with
Babel, updates `locale/<lang>/LC_MESSAGES/sprechstunde.po` and compiles the `.mo` shipped in
the package. These tests fail when someone adds an operator text and does not run it, leaves a
text untranslated, or commits a `.mo` that is not the `.po`.
"""

from __future__ import annotations

import gettext
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sprechstunde_cli import i18n
from sprechstunde_cli.i18n import DOMAIN, LOCALE_DIR, language

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "sprechstunde_cli"
LANGUAGES = sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir())
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)")


def _extractor() -> object:
    spec = importlib.util.spec_from_file_location("i18n_extract", REPO / "scripts/i18n_extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.extract


def extracted() -> set[str | tuple[str, ...]]:
    """What `scripts/i18n` would extract from the code as it is now."""
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", _extractor())],  # type: ignore[list-item]
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    )
    return {message for _file, _line, message, _comments, _context in found}


def catalogue(lang: str) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_there_is_a_german_catalogue() -> None:
    assert "de" in LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_holds_exactly_the_texts_of_the_code(lang: str) -> None:
    in_code, in_catalogue = extracted(), set(catalogue(lang))
    assert len(in_code) > 500  # the extraction itself works
    assert sorted(map(str, in_code - in_catalogue)) == [], "new texts: run bash scripts/i18n"
    assert sorted(map(str, in_catalogue - in_code)) == [], "stale texts: run bash scripts/i18n"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated_with_the_same_placeholders(lang: str) -> None:
    problems = []
    for msgid, msgstr in catalogue(lang).items():
        ids = (msgid,) if isinstance(msgid, str) else msgid
        strs = (msgstr,) if isinstance(msgstr, str) else msgstr
        if not all(s.strip() for s in strs):
            problems.append(f"untranslated: {msgid!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        problems += [
            f"placeholders differ: {msgid!r} -> {s!r}"
            for s in strs
            if set(PLACEHOLDER.findall(s)) != wanted
        ]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shipped_mo_is_the_po_compiled(lang: str) -> None:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    for msgid, msgstr in catalogue(lang).items():
        if isinstance(msgid, str):
            assert shipped.gettext(msgid) == msgstr, "run bash scripts/i18n"
        else:
            assert (shipped.ngettext(*msgid, 1), shipped.ngettext(*msgid, 2)) == msgstr
    # Nothing more in it either: one key per text and per plural form, plus the header.
    entries = sum(1 if isinstance(s, str) else len(s) for s in catalogue(lang).values())
    assert len(shipped._catalog) == entries + 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LC_MESSAGES": "de_AT@euro", "LANG": "en_GB.UTF-8"}, "de"),
        ({"LC_ALL": "C", "LC_MESSAGES": "de_DE.UTF-8"}, "en"),  # LC_ALL decides, as in C
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "C"}, "de"),
        ({"SPRECHSTUNDE_LANG": "de", "LC_ALL": "C.UTF-8"}, "de"),
        ({"SPRECHSTUNDE_LANG": "en", "LANG": "de_DE.UTF-8"}, "en"),
        ({"SPRECHSTUNDE_LANG": "fr_FR", "LANG": "de_DE.UTF-8"}, "fr"),
    ],
)
def test_the_language_comes_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert language(environ) == expected


def test_a_third_language_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A French catalogue beside the shipped ones: no code names the language.
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale)
    with (LOCALE_DIR / "sprechstunde.pot").open("rb") as handle:
        template = read_po(handle, locale="fr")
    template["Usage:"].string = "Utilisation :"
    template["Error: {message}"].string = "Erreur : {message}"
    (locale / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with (locale / "fr" / "LC_MESSAGES" / f"{DOMAIN}.mo").open("wb") as handle:
        write_mo(handle, template)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setenv("SPRECHSTUNDE_LANG", "fr")
    i18n.reset()
    try:
        assert i18n._("Usage:") == "Utilisation :"
        assert i18n._("Error: {message}").format(message="x") == "Erreur : x"
        assert i18n._("Options") == "Options"  # untranslated: the English text
    finally:
        monkeypatch.undo()
        i18n.reset()
    assert i18n._("Usage:") == "Usage:"  # this process's tests speak English again


def test_the_catalogue_is_cheap_when_nobody_asks_for_it() -> None:
    # gettext reads no catalogue until the first text: importing the module loads nothing.
    probe = "import sys, sprechstunde_cli.i18n; print('gettext' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PACKAGE.parent)},
        check=True,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("variable", ["SPRECHSTUNDE_LANG", "LANG"])
def test_english_asks_gettext_for_nothing(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    # The msgids are English: no catalogue is looked for, whatever gettext would find.
    def no_catalogue(*args: object, **kwargs: object) -> None:
        raise AssertionError("English looked for a catalogue")

    for name in ("SPRECHSTUNDE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "en_GB.UTF-8")
    monkeypatch.setattr(gettext, "translation", no_catalogue)
    i18n.reset()
    try:
        assert i18n._("Usage:") == "Usage:"
        assert i18n.ngettext("{n} thread", "{n} threads", 1) == "{n} thread"
        assert i18n.ngettext("{n} thread", "{n} threads", 0) == "{n} threads"
        assert i18n.ngettext("{n} thread", "{n} threads", 2) == "{n} threads"
    finally:
        monkeypatch.undo()
        i18n.reset()
    assert i18n._("Usage:") == "Usage:"
