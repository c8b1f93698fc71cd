"""Hostile citizen input through every operator-facing command: nothing survives or crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sprechstunde_cli.services.demo.samples import make_png
from tests.support.cli import Sp
from tests.support.clocks import FakeClock

PAYLOADS = [
    "\x1b[31mrot\x1b[0m \x1b[2J\x1b[H",  # CSI: colour, clear screen, cursor home
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the operator's clipboard
    "\x1b]8;;https://example.org\x1b\\klick\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31m acht-bit \x85 \x9d",  # 8-bit CSI, NEL, OSC
    "abc\rXYZ überschrieben",  # carriage return overwrites the line
    "\u202egnp.exe\u202c \u2066iso\u2069",  # bidi override and isolates
    "zero\u200bwidth\u200d\ufeffbom\u2060",
    "[bold]fett[/bold] [/x] [link=https://example.org]link[/link] [red]",
    "null\x00byte bell\x07 back\x08space del\x7f",
]
FORBIDDEN = [
    "\x1b",
    "\x9b",
    "\x9d",
    "\x85",
    "\x07",
    "\x00",
    "\x08",
    "\x7f",
    "\r",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2060",
]


def assert_clean(output: str) -> None:
    for char in FORBIDDEN:
        assert char not in output, repr(char)


@pytest.fixture
def hostile(sp: Sp, config_file: Path, clock: FakeClock, tmp_path: Path) -> Sp:
    sp("open", "--once")
    for i, payload in enumerate(PAYLOADS):
        sp("sandbox", "send", "--from", f"h{i}", "--name", payload, payload)
    photo = tmp_path / "\x1b[31mbild\u202e.png"
    photo.write_bytes(make_png(4, 4, (0, 0, 0)))
    sp("sandbox", "send", "--from", "h0", "--name", PAYLOADS[1], "--image", str(photo), PAYLOADS[0])
    assert_clean(sp("open", "--once").output)
    return sp


def test_every_view_neutralises_hostile_text(hostile: Sp) -> None:
    views = [
        ("threads",),
        ("threads", "--json"),
        ("tail", "--once", "-n", "100"),
        ("tail", "--once", "--json", "-n", "100"),
        ("media", "1"),
        ("sessions",),
        *[("show", str(n)) for n in range(1, len(PAYLOADS) + 1)],
        *[("sandbox", "inbox", "--as", f"h{i}") for i in range(len(PAYLOADS))],
        *[("sandbox", "inbox", "--as", f"h{i}", "--json") for i in range(len(PAYLOADS))],
    ]
    for args in views:
        result = hostile(*args)
        assert_clean(result.output)


def test_markup_is_shown_literally_not_interpreted(hostile: Sp) -> None:
    shown = hostile("show", str(PAYLOADS.index(PAYLOADS[7]) + 1)).stdout
    assert "[bold]fett[/bold]" in shown and "[link=https://example.org]link[/link]" in shown


def test_json_keeps_the_text_recoverable(hostile: Sp) -> None:
    events = [
        json.loads(x) for x in hostile("tail", "--once", "--json", "-n", "100").stdout.splitlines()
    ]
    texts = {e["text"] for e in events if e["direction"] == "in"}
    assert set(PAYLOADS) <= texts  # escaped on the wire, exact once parsed


def test_a_reply_quoting_hostile_text_is_still_clean(hostile: Sp) -> None:
    hostile("reply", "1", PAYLOADS[0])
    assert_clean(hostile("show", "1").output)
