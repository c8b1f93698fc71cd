"""The CLI as an operator uses it, read like shell sessions."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.services.demo.samples import make_png
from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock


def inbox_texts(sp: Sp, handle: str) -> list[str]:
    """What the citizen's phone shows from the office."""
    lines = sp("sandbox", "inbox", "--as", handle, "--json").stdout.splitlines()
    return [e["text"] for e in map(json.loads, lines) if e["from_office"]]


@pytest.fixture
def hour_open(sp: Sp, config_file: Path, clock: FakeClock) -> Sp:
    """An open session with two citizens who wrote in."""
    sp("open", "--once")
    sp("sandbox", "send", "--from", "+49 000 0000042", "--name", "", "Wann kommt der Bus?")
    sp("sandbox", "send", "--from", "anna", "--name", "Anna", "Guten Tag")
    sp("open", "--once")
    return sp


def test_open_once_greets_and_reports(sp: Sp, config_file: Path, clock: FakeClock) -> None:
    result = sp("open", "--once")
    assert "Opened session 'mittwoch' on local." in result.stdout
    sp("sandbox", "send", "--from", "c1", "Hallo")
    result = sp("open", "--once")
    assert "Resumed session 'mittwoch'" in result.stdout
    assert "New thread 1 (greeted)." in result.stdout
    inbox = sp("sandbox", "inbox", "--as", "c1", "--json").stdout.splitlines()
    entries = [json.loads(line) for line in inbox]
    greetings = [e for e in entries if e["from_office"] and "willkommen" in e["text"]]
    assert len(greetings) == 1


def test_open_outside_the_hour_is_refused_with_a_hint(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    clock.current = IN_THE_HOUR + timedelta(days=1)
    result = sp("open", "mittwoch", "--once", expect=ExitCode.STATE)
    assert "ended" in result.stderr and "--now" in result.stderr
    result = sp("open", "mittwoch", "--once", "--now")
    assert "rehearsal: shifted to now" in result.stdout


def test_open_without_a_config_names_init(sp: Sp, clock: FakeClock) -> None:
    result = sp("open", "--once", expect=ExitCode.CONFIG)
    assert "No config file" in result.stderr and "sprechstunde init" in result.stderr


def test_threads_lists_masked_citizens_longest_waiting_first(
    hour_open: Sp, clock: FakeClock
) -> None:
    result = hour_open("threads")
    assert "+49 000 •••• 42" in result.stdout
    assert "0000042" not in result.stdout  # the full number never shows
    rows = [json.loads(x) for x in hour_open("threads", "--json").stdout.splitlines()]
    assert [r["thread"] for r in rows] == [1, 2]
    assert rows[1]["citizen"] == "Anna" and rows[1]["unread"] == 1


def test_show_marks_read_and_reply_reaches_the_citizen(hour_open: Sp) -> None:
    shown = hour_open("show", "2")
    assert "Guten Tag" in shown.stdout
    rows = [json.loads(x) for x in hour_open("threads", "--json").stdout.splitlines()]
    assert next(r for r in rows if r["thread"] == 2)["unread"] == 0
    assert "Sent to thread 2." in hour_open("reply", "2", "Guten Tag, Anna!").stdout
    assert "Guten Tag, Anna!" in inbox_texts(hour_open, "anna")


def test_show_sends_read_receipts_only_once_an_operator_read(hour_open: Sp) -> None:
    def own(handle: str) -> list[bool]:
        lines = hour_open("sandbox", "inbox", "--as", handle, "--json").stdout.splitlines()
        return [e["read"] for e in map(json.loads, lines) if not e["from_office"]]

    assert own("anna") == [False]  # received and greeted, but nobody has read it yet
    hour_open("show", "2")
    assert own("anna") == [True]
    assert own("+49 000 0000042") == [False]  # another chat is untouched


def test_reply_with_a_template_fills_placeholders(hour_open: Sp) -> None:
    hour_open("reply", "1", "--template", "danke")
    assert (
        "Vielen Dank, Oberbürgermeisterin Erika Mustermann meldet sich bis 17:00 Uhr."
        in inbox_texts(hour_open, "+49 000 0000042")
    )
    result = hour_open("reply", "1", "--template", "nope", expect=ExitCode.NOT_FOUND)
    assert "known: danke" in result.stderr


def test_reply_from_the_editor_drops_comment_lines(
    hour_open: Sp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Aus dem Editor\\n# Kommentar\\n" >> "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    hour_open("reply", "2")
    assert "Aus dem Editor" in inbox_texts(hour_open, "anna")
    assert not any("Kommentar" in t for t in inbox_texts(hour_open, "anna"))
    drafts = list((tmp_path / "data" / "sessions" / "mittwoch").rglob("reply-*"))
    assert drafts == []


def test_reply_without_text_or_editor_explains(hour_open: Sp) -> None:
    result = hour_open("reply", "2", expect=ExitCode.USAGE)
    assert "$EDITOR" in result.stderr


def test_claims_between_two_operators(hour_open: Sp) -> None:
    hour_open("--operator", "anna-op", "claim", "1")
    result = hour_open(
        "--operator", "bernd", "reply", "1", "Ich antworte", expect=ExitCode.CONFLICT
    )
    assert "claimed by anna-op" in result.stderr and "--force" in result.stderr
    hour_open("--operator", "bernd", "release", "1", expect=ExitCode.CONFLICT)
    hour_open("--operator", "bernd", "reply", "1", "Ich antworte", "--force")
    rows = [json.loads(x) for x in hour_open("threads", "--json").stdout.splitlines()]
    assert next(r for r in rows if r["thread"] == 1)["claimed_by"] == "bernd"
    hour_open("--operator", "bernd", "release", "1")


def test_unknown_thread_is_not_found(hour_open: Sp) -> None:
    result = hour_open("show", "99", expect=ExitCode.NOT_FOUND)
    assert "no thread 99" in result.stderr and "sprechstunde threads" in result.stderr


def test_tail_once_json_has_one_event_per_line(hour_open: Sp) -> None:
    lines = hour_open("tail", "--once", "--json").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert {e["event"] for e in events} == {"message"}
    texts = [e["text"] for e in events if e["direction"] == "in"]
    assert texts == ["Wann kommt der Bus?", "Guten Tag"]
    assert all(e["session"] == "mittwoch" for e in events)
    plain = hour_open("tail", "--once", "-n", "1").stdout.strip().splitlines()
    assert len(plain) == 1
    assert len(hour_open("tail", "--once", "-n", "0").stdout.strip().splitlines()) == 0
    assert len(hour_open("tail", "--once", "-n", "100").stdout.strip().splitlines()) == 4


def test_attachments_are_listed_and_opened_with_the_configured_command(
    sp: Sp, config_file: Path, clock: FakeClock, tmp_path: Path
) -> None:
    opener = tmp_path / "opener.sh"
    seen = tmp_path / "opened.txt"
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {seen}\n')
    opener.chmod(0o755)
    config_file.write_text(
        config_file.read_text().replace(
            "poll_seconds = 0.01", f'poll_seconds = 0.01\nmedia_command = "{opener} {{file}}"'
        )
    )
    photo = tmp_path / "foto.png"
    photo.write_bytes(make_png(30, 20, (1, 1, 1)))
    sp("open", "--once")
    sp("sandbox", "send", "--from", "c2", "--image", str(photo), "Schaden")
    sp("open", "--once")
    listing = sp("media", "1").stdout
    assert "[1] photo 30×20" in listing
    sp("media", "1", "1")
    opened = Path(seen.read_text())
    assert opened.read_bytes() == photo.read_bytes()
    assert opened.name != "foto.png"
    sp("media", "1", "2", expect=ExitCode.NOT_FOUND)


def test_close_and_purge_leave_nothing(hour_open: Sp, tmp_path: Path) -> None:
    result = hour_open("close", "--purge")
    assert "closing words sent to 2 unanswered thread(s)" in result.stdout
    assert "Local data deleted and verified (clean)" in result.stdout
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["verification"]["result"] == "clean"
    assert receipt["counts"]["threads"] == 2
    assert hour_open("sandbox", "inbox", "--as", "anna", "--json").stdout == ""
    result = hour_open("threads", expect=ExitCode.NOT_FOUND)
    assert "No session is open" in result.stderr
    result = hour_open("purge", "mittwoch")
    assert "already purged" in result.stdout


def test_sessions_lists_config_and_state(hour_open: Sp) -> None:
    out = hour_open("sessions").stdout
    assert "mittwoch  2026-12-02 16:00–17:00 Europe/Berlin  local  open" in out
    assert "naechste  2026-12-16 16:00–17:00 Europe/Berlin  local  planned" in out


def test_sandbox_refuses_ambiguous_input(sp: Sp, tmp_path: Path) -> None:
    result = sp("sandbox", "send", "--from", "c1", expect=ExitCode.USAGE)
    assert "Nothing to send" in result.stderr


def test_version_and_help(sp: Sp) -> None:
    assert sp("--version").stdout.startswith("sprechstunde ")
    help_text = sp("--help").stdout
    for command in (
        "open",
        "threads",
        "show",
        "reply",
        "claim",
        "release",
        "tail",
        "close",
        "purge",
        "sandbox",
        "demo",
        "login",
        "logout",
        "init",
    ):
        assert command in help_text


def test_open_stops_cleanly_when_another_terminal_closes(sp: Sp, config_file: Path) -> None:
    import subprocess
    import sys
    import time

    opener = subprocess.Popen(
        [sys.executable, "-m", "sprechstunde_cli", "open", "mittwoch", "--now", "--plain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):  # bounded: until `open` has recorded the session as open
            time.sleep(0.1)
            if "open" in sp("sessions").stdout.split("mittwoch")[1].split("\n")[0]:
                break
        sp("sandbox", "send", "--from", "c1", "Hallo")
        time.sleep(0.5)
        sp("close", "mittwoch")
        out, err = opener.communicate(timeout=30)
    finally:
        opener.kill()
    assert opener.returncode == 0, err
    assert "New thread 1 (greeted)." in out
    # It notices at its next step: while the close runs, or after it.
    assert re.search(r"Session 'mittwoch' is clos(ing|ed); `open` stops here.", out)


def test_after_a_close_without_purge_the_hint_names_the_purge(hour_open: Sp) -> None:
    hour_open("close")
    result = hour_open("close", "--purge", expect=ExitCode.NOT_FOUND)
    assert "'mittwoch' is closed but not yet purged" in result.stderr
    assert "sprechstunde purge mittwoch" in result.stderr
