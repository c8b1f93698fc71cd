"""Babel extraction for sprechstunde: `_()`, `N_()`, `ngettext()` as usual, plus each command's
docstring, which Typer shows as the command's help (cli/click_texts.py translates it).

A command is a top-level function in cli/ named after its module (`cli/threads/show.py`
`show`, `cli/hour/open.py` `open_`) or the root callback `root`; tests/cli/test_tree.py holds
every command to that. Used by scripts/i18n.cfg (pybabel) and by tests/test_catalogue.py.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any

from babel.messages.extract import extract_python

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[int, str, Any, list[str]]]:
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    path = PurePath(getattr(fileobj, "name", ""))
    if "cli" not in path.parts:
        return
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if node.name.rstrip("_") != path.stem and node.name != "root":
            continue
        doc = ast.get_docstring(node, clean=False)
        if doc:
            yield node.lineno, "", inspect.cleandoc(doc), []
