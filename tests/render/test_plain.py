"""The plain lines of `threads` and `show` are exactly what Rich prints without styles, at any
width and for any text a citizen may send; and they are used only where Rich would print no
styles."""

from __future__ import annotations

import dataclasses
import io
import os
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len, set_cell_size

from sprechstunde_cli.domain.messages import MediaInfo, MessageRecord
from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.render.formats import hhmm
from sprechstunde_cli.render.message_lines import message_lines, padded_body
from sprechstunde_cli.render.messages import thread_view
from sprechstunde_cli.render.plain import PIPE_WIDTH, cells, fit, plain_width
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


# For `show` also right-to-left scripts, marks and joiners with nothing to join, and spaces
# (a body's lines keep their trailing spaces, and Rich pads each to the widest).
SHOW_ALPHABET = ALPHABET + "שלום مرحبا\u05b8\u0301\u200d\ufe0f    "
# Bodies Rich draws in its own way: nothing at all, only line ends, no width, only spaces.
ODD_BODIES = ("", "\n", "\n\n", "\u0301", "  ", "a\n", "\n\nx ", "ab  \nc", "中\nab c", "x\ty")


def _show_text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(SHOW_ALPHABET) for _ in range(rng.randint(0, longest)))


def _body(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(ODD_BODIES)
    return "\n".join(_show_text(rng, 60) for _ in range(rng.choice([1, 1, 2, 4])))


def _media(rng: random.Random) -> MediaInfo | None:
    if rng.random() < 0.5:
        return None
    return MediaInfo(
        mime=rng.choice(["image/jpeg", "application/pdf", "application/x-custom", ""]),
        size=rng.choice([0, 900, 48_000, 3_500_000]),
        width=rng.choice([None, 1200]),
        height=rng.choice([None, 800]),
        duration=rng.choice([None, 0.0, 42.4, 3700.0]),
        path=rng.choice([None, "/srv/sessions/mittwoch/media/ab12cd34.jpg", _show_text(rng, 30)]),
        name=rng.choice(["", "Antrag.pdf", _show_text(rng, 90)]),
    )


def _messages(rng: random.Random, count: int) -> list[MessageRecord]:
    messages = [
        MessageRecord(
            id=n,
            session_id="mittwoch",
            thread=3,
            direction=rng.choice(list(Direction)),
            kind=rng.choice(list(MessageKind)),
            body=_body(rng),
            at=NOW + timedelta(seconds=rng.randint(0, 90_000)),
            purpose=rng.choice([None, *Purpose]),
            operator=rng.choice([None, "erika", _show_text(rng, 30)]),
            media=_media(rng),
        )
        for n in range(count)
    ]
    # Every yes/no a message has (or gains: a mark the view shows), set at random, so a mark
    # added to the Rich view but not to the plain lines fails here.
    flags = [f.name for f in dataclasses.fields(MessageRecord) if f.type == "bool"]
    return [dataclasses.replace(m, **{f: rng.random() < 0.2 for f in flags}) for m in messages]


@pytest.mark.parametrize("seed", range(12))
def test_plain_show_is_what_rich_prints(seed: int) -> None:
    rng = random.Random(seed)
    zones = [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kathmandu")]
    piped = 0
    for _ in range(25):
        citizen, messages = _show_text(rng, 50), _messages(rng, rng.choice([0, 1, 3, 12]))
        tz, left = rng.choice(zones), rng.random() < 0.3
        for width in (PIPE_WIDTH, 100, 60):
            lines = message_lines(3, citizen, messages, tz=tz, left=left, width=width)
            if lines is None:
                continue  # where Rich would change more (a tab, a wrap), Rich prints
            piped += width == PIPE_WIDTH
            sink = io.StringIO()
            make_console(file=sink, width=width).print(
                thread_view(3, citizen, messages, tz=tz, left=left)
            )
            assert "".join(f"{line}\n" for line in lines) == sink.getvalue(), (seed, width)
    # Into a pipe (PIPE_WIDTH) every one is written plain: the fallback is for what Rich changes.
    assert piped == 25, piped


# Joiners and selectors at the edge of a styled piece, marks, wide and ideographic spaces: what
# the sanitizer leaves alone or never leaves at a piece's edge, measured here all the same.
PIECE_ALPHABET = "ab  中\u200d\ufe0f👨❤\u0301e\n\u3000\u2003\xa0🇩🇪ｶש€"


def _rich_body(pieces: list[tuple[str, str]]) -> str:
    from rich.padding import Padding
    from rich.text import Text

    text = Text()
    for piece, style in pieces:
        text.append(piece, style=style or None)
    sink = io.StringIO()
    make_console(file=sink).print(Padding(text, (0, 0, 0, 2), expand=False))
    return sink.getvalue()


def test_a_plain_body_is_what_rich_pads_even_for_text_the_sanitizer_never_leaves() -> None:
    rng = random.Random(11)
    plain = 0
    for _ in range(3000):
        pieces = [
            ("".join(rng.choice(PIECE_ALPHABET) for _ in range(rng.randint(0, 6))), style)
            for style in rng.choices(["", "cyan", "underline"], k=rng.randint(1, 4))
        ]
        lines = padded_body(pieces, "".join(piece for piece, _ in pieces))
        if lines is not None:  # None: Rich would wrap or cut a line, and prints it itself
            plain += 1
            assert "".join(f"{line}\n" for line in lines) == _rich_body(pieces), pieces
    assert plain > 2700, plain
    # A joiner takes the space after it: Rich drops that space as one too many, and pads by
    # what is left.
    assert _rich_body([(" \u200d ", "")]) == "   \u200d\n"
    assert padded_body([(" \u200d ", "")], " \u200d ") == ["   \u200d"]


def test_show_falls_back_to_rich_where_rich_changes_more() -> None:
    message = MessageRecord(1, "mittwoch", 3, Direction.IN, MessageKind.TEXT, "kurz", NOW)
    assert message_lines(3, "Anna", [message], tz=UTC) is not None
    long = dataclasses.replace(message, body="Wort " * 30)
    # 150 cells: Rich wraps it on a console 100 wide, and only Rich knows where.
    assert message_lines(3, "Anna", [long], tz=UTC, width=100) is None
    assert message_lines(3, "Anna", [long], tz=UTC) is not None  # a pipe is never wrapped


def test_the_clock_of_a_view_is_what_strftime_says() -> None:
    rng = random.Random(3)
    # A zone with a quarter-hour offset, one with DST, and Berlin's local mean time of 1890.
    zones = [ZoneInfo("Asia/Kathmandu"), ZoneInfo("America/St_Johns"), ZoneInfo("Europe/Berlin")]
    for _ in range(2000):
        at = datetime(1890, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 5_000_000_000))
        tz = rng.choice(zones)
        assert hhmm(at, tz) == at.astimezone(tz).strftime("%H:%M"), (at, tz)
