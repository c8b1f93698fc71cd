"""The Rich console, built to print text literally, and the one way citizen text becomes Rich.

Citizen-controlled text reaches Rich only as `Text(clean(...))`: never as a markup string, never
through `Text.from_markup`, and consoles are built with `markup=False` as a second line of defence.
Our own words go through the same path, so no code here ever needs to ask whether a string is safe.
"""

from __future__ import annotations

from typing import IO, NewType

from rich.console import Console
from rich.text import Text

from sprechstunde_cli.render.plain import PIPE_WIDTH
from sprechstunde_cli.render.sanitize import clean

# A line for the operator that system/redact.py has been over: the live view's status and alert
# quote servers, as say/warn do. render/ may not import system/, so only `Application.redacted`
# makes one, and a view that takes such a line asks for this type (mypy refuses a bare str).
Redacted = NewType("Redacted", str)


def make_console(
    *, stderr: bool = False, file: IO[str] | None = None, width: int | None = None
) -> Console:
    """Build a console that prints text literally; Rich itself honours NO_COLOR and TERM=dumb.
    Output that is not a terminal is never wrapped (unless `width` asks for it)."""
    console = Console(
        stderr=stderr,
        file=file,
        width=width,
        markup=False,
        highlight=False,
        emoji=False,
    )
    if width is None and not console.is_terminal:
        console.width = PIPE_WIDTH
    return console


def citizen_text(
    text: str, *, single_line: bool = False, limit: int | None = None, style: str = ""
) -> Text:
    """Sanitize text and wrap it in a Text that Rich will never parse as markup."""
    return Text(clean(text, single_line=single_line, limit=limit), style=style)
