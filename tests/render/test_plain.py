"""The plain lines of `threads` are exactly what Rich prints without styles, at any width and
for any text a citizen may send; and they are used only where Rich would print no styles."""

from __future__ import annotations

import dataclasses
import io
import os
import random
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len, set_cell_size

from sprechstunde_cli.domain.model import Direction, MessageKind, ThreadRow
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.render.plain import cells, fit, plain_width
from sprechstunde_cli.render.thread_lines import threads_lines
from sprechstunde_cli.render.threads import threads_table

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
# Narrow and wide, combining, joiners, emoji, escapes, right-to-left: what Rich measures itself.
ALPHABET = (
    "abcXYZ 0123 .,:;!?ßäöüÄÖÜéèçñ€•—…→←"  # narrow
    "中文字한국어ｶﾀｶﾅＡＢ"  # wide and half-width
    "e\u0301a\u0308"  # combining marks
    "👍🏽👨\u200d👩\u200d👧🇩🇪\ufe0f"  # emoji, skin tone, joiner sequence, flag, selector
    "\x1b[31m\u202e\u200b\x07\t\r\n"  # what the sanitizer makes visible
)


def _text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _rows(rng: random.Random, count: int) -> list[ThreadRow]:
    rows = []
    for n in range(1, count + 1):
        kind = rng.choice([None, *MessageKind])
        waiting = NOW - timedelta(seconds=rng.randint(0, 20_000)) if rng.random() < 0.7 else None
        rows.append(
            ThreadRow(
                number=n * rng.choice([1, 7, 113]),
                citizen=_text(rng, 50),
                first_at=NOW - timedelta(hours=1),
                waiting_since=waiting,
                unread=rng.choice([0, 0, 1, 12]),
                claimed_by=rng.choice([None, "erika", _text(rng, 20)]),
                last_kind=kind,
                last_direction=rng.choice([None, *Direction]),
                last_line=_text(rng, 90),
                answered=rng.random() < 0.3,
            )
        )
    # Every other yes/no a row has (or gains: a mark the table shows), set at random too, so a
    # mark added to the Rich table but not to the plain lines fails here.
    flags = [f.name for f in dataclasses.fields(ThreadRow) if f.type == "bool"]
    return [dataclasses.replace(r, **{f: rng.random() < 0.3 for f in flags}) for r in rows]


def _rich(rows: list[ThreadRow], width: int) -> str:
    sink = io.StringIO()
    # A file, not a terminal: Rich prints no styles, as into a pipe.
    make_console(file=sink, width=width).print(threads_table(rows, now=NOW, tz=UTC))
    return sink.getvalue()


@pytest.mark.parametrize("seed", range(12))
def test_plain_lines_are_what_rich_prints(seed: int) -> None:
    rng = random.Random(seed)
    rows = _rows(rng, rng.choice([0, 1, 3, 40]))
    for width in (8, 37, 80, 100, 181):
        lines = threads_lines(rows, now=NOW, tz=UTC, width=width)
        assert "".join(f"{line}\n" for line in lines) == _rich(rows, width), (seed, width)


def test_measuring_and_cutting_agree_with_rich() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        text = _text(rng, 40).replace("\n", " ").replace("\t", " ")
        assert cells(text) == cell_len(text), repr(text)
        width = rng.randint(0, 45)
        assert fit(text, width) == set_cell_size(text, width), (repr(text), width)


def test_plain_only_where_rich_would_print_no_styles() -> None:
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe:
        assert plain_width({"COLUMNS": "120"}, pipe) == 120
        assert plain_width({"COLUMNS": "120", "FORCE_COLOR": "1"}, pipe) is None
        assert plain_width({"TTY_COMPATIBLE": "1"}, pipe) is None
        assert plain_width({"COLUMNS": "0"}, pipe) is None  # Rich's own corner case
    os.close(read)
    primary, secondary = os.openpty()
    with os.fdopen(secondary, "w") as terminal:
        assert plain_width({"COLUMNS": "120"}, terminal) is None  # a terminal gets the styles
    os.close(primary)


@pytest.mark.parametrize("seed", range(6))
def test_a_plain_status_line_is_what_rich_prints(seed: int) -> None:
    from sprechstunde_cli.render.console import citizen_text
    from sprechstunde_cli.render.plain import plain_line
    from sprechstunde_cli.render.sanitize import clean

    rng = random.Random(seed)
    for _ in range(200):
        message = _text(rng, 120)
        sink = io.StringIO()
        make_console(file=sink, width=rng.choice([20, 80])).print(
            citizen_text(message), soft_wrap=True
        )
        line = plain_line(message)
        # A tab left by the sanitizer is the one thing Rich changes (it expands it): then Rich
        # prints the line itself.
        assert line == sink.getvalue() or (line is None and "\t" in clean(message)), repr(message)
