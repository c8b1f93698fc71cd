"""Every view renders hostile citizen text literally and inertly, and lays out what it should."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console, RenderableType

from sprechstunde_cli.domain.messages import MediaInfo, MessageRecord
from sprechstunde_cli.domain.model import (
    Direction,
    MessageKind,
    Purpose,
    SessionRecord,
    SessionState,
)
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.providers.local.phone import PhoneEntry
from sprechstunde_cli.render.console import citizen_text, make_console
from sprechstunde_cli.render.formats import duration_text, human_size, media_label
from sprechstunde_cli.render.hour import store_fix, store_line
from sprechstunde_cli.render.messages import message_line, phone_view, thread_view
from sprechstunde_cli.render.threads import live_view, threads_table
from sprechstunde_cli.system import disk

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 5, 6, 14, 10, tzinfo=UTC)  # 16:10 in Berlin (CEST)

HOSTILE = [
    "\x1b[31mred\x1b[0m",
    "\x1b[2Jcleared",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J",
    "bell\x07",
    "back\x08\x08\x08",
    "over\rwrite",
    "evil\u202eexe.pdf",
    "zero\u200bwidth\u200djoin",
    "\ufeffbom",
]
MARKUP = ["[bold]x[/bold]", "[/x]", "[link=https://example.org]x[/link]"]
RAW_FORBIDDEN = ["\x1b", "\x9b", "\x07", "\x08", "\r", "\u202e", "\u200b", "\u200d", "\ufeff"]


def render(renderable: RenderableType, *, width: int = 100) -> str:
    # A default console with markup ON: our Text objects must stay literal even there.
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def assert_inert(out: str) -> None:
    for ch in RAW_FORBIDDEN:
        assert ch not in out, f"raw {ch!r} reached the terminal"


ROW = ThreadRow(
    number=1,
    citizen="+49 000 •••• 01",
    first_at=NOW - timedelta(minutes=30),
    waiting_since=NOW - timedelta(minutes=4),
    unread=1,
    claimed_by=None,
    last_kind=MessageKind.TEXT,
    last_direction=Direction.IN,
    last_line="Hallo",
    answered=False,
)
MESSAGE = MessageRecord(
    id=0, session_id="s1", thread=3, direction=Direction.IN, kind=MessageKind.TEXT, body="", at=NOW
)
SESSION = SessionRecord(
    id="s1",
    title="Bürgersprechstunde",
    official="Bürgermeisterin Beispiel",
    provider="local",
    timezone="Europe/Berlin",
    planned_start=NOW - timedelta(minutes=10),
    planned_end=NOW + timedelta(minutes=50),
    state=SessionState.OPEN,
    opened_at=NOW - timedelta(minutes=10),
    effective_end=None,
    closed_at=None,
    purged_at=None,
    last_call_at=None,
)


def row(number: int, **changes: Any) -> ThreadRow:
    return replace(ROW, **{"number": number, "citizen": f"+49 000 •••• {number:02d}", **changes})


def message(mid: int, body: str, **changes: Any) -> MessageRecord:
    return replace(MESSAGE, id=mid, body=body, at=NOW + timedelta(minutes=mid), **changes)


def session(**changes: Any) -> SessionRecord:
    return replace(SESSION, **changes)


# --- console and helpers --------------------------------------------------------------------


def test_make_console_prints_markup_and_emoji_codes_literally() -> None:
    buf = io.StringIO()
    console = make_console(file=buf, width=100)
    console.print("[bold]x[/bold] :smile: [link=https://example.org]y[/link]")
    assert buf.getvalue() == "[bold]x[/bold] :smile: [link=https://example.org]y[/link]\n"


def test_make_console_honours_no_color_and_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_console().no_color
    assert make_console(stderr=True).stderr


def test_citizen_text_is_sanitized_and_styled() -> None:
    text = citizen_text("a\x1b[2J\nb", single_line=True, limit=20, style="bold")
    assert text.plain == "a\\x1b[2J⏎b"
    assert str(text.style) == "bold"


@pytest.mark.parametrize(
    ("kind", "media", "label"),
    [
        (
            MessageKind.IMAGE,
            MediaInfo("image/jpeg", 49152, width=1200, height=800),
            "photo 1200×800, 48 KB",
        ),
        (MessageKind.VOICE, MediaInfo("audio/ogg", 12288, duration=42.4), "voice note 0:42, 12 KB"),
        (MessageKind.FILE, MediaInfo("application/pdf", 3000), "file PDF, 3 KB"),
        (
            MessageKind.FILE,
            MediaInfo("application/x-unheard-of", 3000),
            "file application/x-unheard-of, 3 KB",
        ),
        (MessageKind.IMAGE, MediaInfo("image/png", 0), "photo"),
        (MessageKind.IMAGE, None, "photo"),
        (MessageKind.VOICE, MediaInfo("audio/ogg", 0, duration=3725), "voice note 1:02:05"),
    ],
)
def test_media_label(kind: MessageKind, media: MediaInfo | None, label: str) -> None:
    assert media_label(kind, media) == label


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (512, "512 B"),
        (1024, "1 KB"),
        (1536 * 1024, "1.5 MB"),
        (12 * 1024**2, "12 MB"),
        (3 * 1024**3, "3.0 GB"),
        (5000 * 1024**3, "5000 GB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_duration_text() -> None:
    assert [duration_text(s) for s in (0, 9.6, 42, 600, 3600)] == [
        "0:00",
        "0:10",
        "0:42",
        "10:00",
        "1:00:00",
    ]


# --- threads table and live view ------------------------------------------------------------


def test_threads_table_renders_every_hostile_payload_inertly() -> None:
    rows = [
        row(i + 1, citizen=payload, last_line=payload, claimed_by=payload[:8])
        for i, payload in enumerate(HOSTILE + MARKUP)
    ]
    out = render(threads_table(rows, now=NOW, tz=BERLIN), width=200)
    assert_inert(out)
    assert "\\x1b[2Jcleared" in out
    assert "evil\\u202eexe.pdf" in out
    assert "over\\x0dwrite" in out
    for markup in MARKUP:
        assert markup in out


def test_threads_table_keeps_order_and_counts_the_rest() -> None:
    rows = [row(n) for n in (5, 2, 9, 1, 7)]
    out = render(threads_table(rows, now=NOW, tz=BERLIN, max_rows=3))
    numbers = [int(m) for m in re.findall(r"^\s*(\d+)\s{2}\+49", out, flags=re.MULTILINE)]
    assert numbers == [5, 2, 9]
    assert "… and 2 more" in out


def test_threads_table_without_a_cap_shows_all_and_no_more_row() -> None:
    out = render(threads_table([row(n) for n in range(1, 6)], now=NOW, tz=BERLIN))
    assert "more" not in out
    assert len(re.findall(r"\+49 000", out)) == 5


@pytest.mark.parametrize(
    ("since", "shown"),
    [
        (NOW - timedelta(minutes=4), "4 min since 16:06"),
        (NOW - timedelta(seconds=30), "<1 min since 16:09"),
        (NOW - timedelta(minutes=75), "1 h 15 min since 14:55"),
        (None, "—"),
    ],
)
def test_waiting_time_for_a_fixed_now(since: datetime | None, shown: str) -> None:
    out = render(threads_table([row(1, waiting_since=since)], now=NOW, tz=BERLIN))
    assert shown in out


def test_last_column_marks_outgoing_media_and_is_one_truncated_line() -> None:
    rows = [
        row(1, last_direction=Direction.OUT, last_line="Danke!"),
        row(2, last_kind=MessageKind.IMAGE, last_line="Schlagloch"),
        row(3, last_kind=MessageKind.VOICE, last_line=""),
        row(4, last_line="erste Zeile\nzweite Zeile " + "x" * 100),
    ]
    out = render(threads_table(rows, now=NOW, tz=BERLIN), width=200)
    assert "→ Danke!" in out
    assert "[photo] Schlagloch" in out
    assert "[voice note]" in out
    assert "erste Zeile⏎zweite Zeile " in out
    assert "x" * 60 not in out and "x…" in out
    assert "zweite Zeile" not in out.split("erste Zeile")[1].split("\n", 1)[1]


def test_live_view_header_table_and_footer() -> None:
    out = render(
        live_view(session(), [row(1), row(2)], now=NOW, status="polling \x1b[2J", height=30)
    )
    lines = out.splitlines()
    assert lines[0].startswith("Bürgersprechstunde · Bürgermeisterin Beispiel")
    assert "open · ends 17:00 · 50 min left · 2 threads, 2 waiting" in lines[1]
    assert lines[-1] == "polling \\x1b[2J"
    assert_inert(out)


def test_live_view_fits_its_height_and_says_how_many_are_hidden() -> None:
    rows = [row(n) for n in range(1, 2001)]
    out = render(live_view(session(), rows, now=NOW, status="ok", height=20))
    assert len(out.splitlines()) == 20
    assert "… and 1986 more" in out


def test_live_view_after_the_end_and_with_no_threads() -> None:
    out = render(live_view(session(), [], now=NOW + timedelta(hours=1), status="", height=10))
    assert "time is up" in out
    assert "No messages yet." in out


def test_live_view_survives_an_unknown_time_zone() -> None:
    out = render(
        live_view(session(timezone="Mars/Olympus"), [row(1)], now=NOW, status="", height=10)
    )
    assert "ends 15:00 · 50 min left · 1 thread, 1 waiting" in out  # UTC, no crash


def test_live_view_sanitizes_session_text_too() -> None:
    hostile = session(title="Sprechstunde\x1b]0;pwned\x07", official="[bold]Chefin[/bold]\u202e")
    out = render(live_view(hostile, [], now=NOW, status="", height=10))
    assert_inert(out)
    assert "[bold]Chefin[/bold]\\u202e" in out


# --- thread view and tail -------------------------------------------------------------------


def test_thread_view_shows_times_labels_bodies_and_media() -> None:
    messages = [
        message(0, "Hallo\nzweite Zeile"),
        message(1, "Willkommen!", direction=Direction.OUT, purpose=Purpose.GREETING),
        message(
            2,
            "Schlagloch",
            kind=MessageKind.IMAGE,
            media=MediaInfo("image/jpeg", 49152, 1200, 800, path="/data/s1/media/3-1.jpg"),
        ),
        message(3, "Danke", direction=Direction.OUT, purpose=Purpose.REPLY, operator="maria"),
    ]
    out = render(thread_view(3, "+49 000 •••• 92", messages, tz=BERLIN))
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == "Thread #3 · +49 000 •••• 92"
    assert "16:10  ← +49 000 •••• 92" in lines
    assert "  Hallo" in lines and "  zweite Zeile" in lines
    assert "16:11  → office (greeting)" in lines
    assert "  [photo 1200×800, 48 KB] /data/s1/media/3-1.jpg" in lines
    assert "16:13  → office (maria, reply)" in lines


def test_a_citizen_named_like_the_office_never_looks_like_it() -> None:
    incoming = message(0, "Bitte überweisen Sie an mich.")
    outgoing = message(1, "Bitte überweisen Sie an mich.", direction=Direction.OUT)
    for name in ("→ office", "office", "→ office (maria, reply)"):
        spoof = message_line(incoming, name, tz=BERLIN).plain
        assert spoof != message_line(outgoing, name, tz=BERLIN).plain
        assert spoof.startswith("16:10 #3 ← ")
        shown = render(thread_view(3, name, [incoming], tz=BERLIN)).splitlines()
        assert f"16:10  ← {name}" in [line.rstrip() for line in shown]


def test_thread_view_renders_hostile_bodies_and_names_inertly() -> None:
    messages = [message(i, payload) for i, payload in enumerate(HOSTILE + MARKUP)]
    out = render(thread_view(3, "anna\u202e\x1b[2J", messages, tz=BERLIN))
    assert_inert(out)
    assert "anna\\u202e\\x1b[2J" in out
    for markup in MARKUP:
        assert markup in out


def test_message_line_in_and_out() -> None:
    incoming = message(0, "Hallo\nWelt \x1b[2J [bold]x[/bold]")
    outgoing = message(1, "Danke!", direction=Direction.OUT, purpose=Purpose.REPLY)
    photo = message(2, "Bild", kind=MessageKind.IMAGE, media=MediaInfo("image/jpeg", 2048, 10, 20))
    assert message_line(incoming, "anna", tz=BERLIN).plain == (
        "16:10 #3 ← anna: Hallo⏎Welt \\x1b[2J [bold]x[/bold]"
    )
    assert message_line(outgoing, "anna", tz=BERLIN).plain == "16:11 #3 → office: Danke!"
    assert (
        message_line(photo, "anna", tz=BERLIN).plain == "16:12 #3 ← anna: [photo 10×20, 2 KB] Bild"
    )
    assert message_line(message(3, "x" * 500), "a", tz=BERLIN, limit=10).plain.endswith(
        "x" * 9 + "…"
    )


# --- the sandbox phone ----------------------------------------------------------------------


def test_phone_view_shows_both_directions_and_calls() -> None:
    def entry(incoming: bool, kind: str, text: str, **extra: Any) -> PhoneEntry:
        fields = {"mime": None, "size": 0, **extra}
        return PhoneEntry(id=text, incoming=incoming, kind=kind, text=text, at=NOW, **fields)

    entries = [
        entry(False, "text", "Hallo"),
        entry(True, "text", "Willkommen \x1b[2J"),
        entry(False, "voice", "", type="call", call_state="rejected"),
        entry(False, "image", "[bold]Foto[/bold]", mime="image/png", size=3072),
    ]
    out = render(phone_view("+49 000 0000001\u202e", entries, tz=BERLIN))
    assert out.splitlines() == [
        "Phone of +49 000 0000001\\u202e",
        "16:10  you: Hallo",
        "16:10  office: Willkommen \\x1b[2J",
        "16:10  you: voice call, rejected",
        "16:10  you: [photo 3 KB] [bold]Foto[/bold]",
    ]


def test_phone_view_with_nothing_yet() -> None:
    assert "Nothing yet." in render(phone_view("anna", []))


# --- with colour on, only Rich's own escape sequences remain --------------------------------


def test_colour_output_contains_only_rich_style_sequences() -> None:
    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=True, color_system="standard")
    rows = [row(i + 1, citizen=p, last_line=p) for i, p in enumerate(HOSTILE)]
    console.print(live_view(session(), rows, now=NOW, status=HOSTILE[2], height=40))
    console.print(
        thread_view(1, HOSTILE[0], [message(i, p) for i, p in enumerate(HOSTILE)], tz=BERLIN)
    )
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", buf.getvalue())
    assert_inert(stripped)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in stripped


def test_live_view_shows_a_store_problem_and_its_fix_above_the_table_while_it_lasts() -> None:
    problem = disk.no_room(Path("/daten/\x1b[2Jsprech\u202estunde"), 0)
    rows = [row(n) for n in range(1, 50)]
    alert = (f"Warning: {problem.message}", store_fix(problem))
    frame = live_view(session(), rows, now=NOW, status="ok", height=20, alert=alert)
    lines = render(frame).splitlines()
    assert len(lines) == 20  # the table gives way; the problem and the fix stay
    assert lines[2].startswith(
        "Warning: The disk holding /daten/\\x1b[2Jsprech\\u202estunde is full: 0.0 MB free; "
    )
    assert lines[2].endswith("…")  # one line each, cut at the edge, never wrapped
    assert lines[3].startswith("Free at least 100 MB on that disk (delete or move other files")
    assert "… and" in lines[-2] and lines[-1] == "ok"
    assert_inert(render(frame))
    calm = render(live_view(session(), rows, now=NOW, status="ok", height=20))
    assert "Warning" not in calm and len(calm.splitlines()) == 20


def test_plain_open_says_the_problem_and_the_fix_in_one_line() -> None:
    problem = disk.not_writable(Path("/daten"))
    line = store_line(problem)
    assert "\n" not in line
    assert line == (
        "/daten cannot be written (it is read-only); nothing new could be saved. Make /daten and "
        "the files in it writable for the user running sprechstunde (or mount the disk writable "
        "again). `open` keeps trying by itself: there is no need to restart it."
    )


def test_the_table_marks_a_withdrawn_last_message_and_a_citizen_who_left() -> None:
    rows = [
        row(1, last_withdrawn=True, last_line=""),
        row(2, left=True, last_line="Danke"),
        row(3, last_line="Hallo"),
    ]
    lines = render(threads_table(rows, now=NOW, tz=BERLIN), width=200).splitlines()
    first = next(line for line in lines if "•••• 01" in line)
    second = next(line for line in lines if "•••• 02" in line)
    third = next(line for line in lines if "•••• 03" in line)
    assert "[withdrawn by the citizen]" in first
    assert "[left the chat] Danke" in second
    assert "withdrawn" not in third and "left" not in third


def test_show_marks_withdrawn_and_edited_messages_and_a_citizen_who_left() -> None:
    messages = [
        message(1, "", withdrawn=True, kind=MessageKind.IMAGE),
        message(2, "Neue Fassung", edited=True),
    ]
    out = render(thread_view(3, "Anna", messages, tz=BERLIN, left=True))
    assert "left the chat or blocked the office" in out
    assert "[withdrawn by the citizen]" in out and "photo" not in out
    assert "(edited)" in out and "Neue Fassung" in out
    assert "left the chat" not in render(thread_view(3, "Anna", messages, tz=BERLIN))
