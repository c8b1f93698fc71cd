"""Plain lines for a terminal that shows no styles: the same text Rich would print, without Rich.

`threads` on a 2,000-thread session spends most of its time in Rich laying out lines we have
aligned already, and importing `rich.console` costs more than the rest of the command. Where Rich
would print no styles anyway (output into a pipe or a file), the view is written as the plain
lines Rich would have made; `tests/render/test_plain.py` checks that they are the same.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import NewType, TextIO

# Lines a render/ view built (each already cleaned by the sanitizer); Application writes them.
PlainLines = NewType("PlainLines", tuple[str, ...])

# The width of a console that writes to a pipe or a file (render/console.py): no terminal edge
# to wrap at, so one record stays one line (a script greps it, a media path is not broken in
# two). Rich would take 80 columns, or $COLUMNS, which describes a terminal this output does not
# go to. Here, so the plain views know it without importing Rich's console.
PIPE_WIDTH = 100_000

# Any of these may make Rich treat a pipe as a terminal (colours, styles): then Rich decides.
_RICH_SWITCHES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS")


def plain_width(environ: Mapping[str, str], stream: TextIO) -> int | None:
    """The width Rich would use for `stream` when it would print no styles there; None when
    Rich would style the output (a terminal) or an environment switch may change its mind."""
    if any(name in environ for name in _RICH_SWITCHES):
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    # As rich.console.Console.size does it: COLUMNS wins, else any standard stream that is a
    # terminal (`threads | head` in a terminal is as wide as the terminal), else 80.
    columns = environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns) or None  # 0: Rich's own corner case
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


# Characters Rich measures as one cell each (Latin, general punctuation, arrows): most of what a
# thread's line holds. Only text with others in it needs Rich's slower, exact measure. Matched
# as a whole (sre runs a positive class to the end faster than it searches the negated one).
_NARROW = re.compile(r"[\x20-\x7e\xa0-\u02ff\u2010-\u2027\u20ac\u2190-\u21ff]*")


def plain_line(text: str) -> str | None:
    """`text` (redacted) as a console prints it unwrapped and unstyled: cleaned, one newline at
    the end. None where Rich would change more than that (it expands tabs)."""
    from sprechstunde_cli.render.sanitize import clean

    cleaned = clean(text)
    return None if "\t" in cleaned else f"{cleaned}\n"


def narrow(text: str) -> bool:
    """Whether each character of `text` takes one cell."""
    return _NARROW.fullmatch(text) is not None


def cells(text: str) -> int:
    """How many terminal cells `text` takes, as Rich counts them."""
    if narrow(text):
        return len(text)
    # Imported only for text that needs it: most views never do, and Rich's package costs ~2 ms.
    from rich.cells import cell_len

    return cell_len(text)


def fit(text: str, width: int) -> str:
    """`text` cropped or padded to exactly `width` cells, as Rich's `set_cell_size` does."""
    if not narrow(text):
        from rich.cells import set_cell_size  # as in cells(): only for text that needs it

        return set_cell_size(text, width)
    return text[:width] if len(text) >= width else text + " " * (width - len(text))
