"""Working the threads (threads, show, reply, claim, release, tail, media), as shell sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.services.demo.samples import make_png
from tests.support.cli import Sp, inbox_texts
from tests.support.clocks import FakeClock


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


def test_a_reply_is_claimed_in_the_configs_operator_name(hour_open: Sp, config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("[office]", '[office]\noperator = "Team Presse"'), "utf-8")

    def claimed(number: int) -> str:
        rows = [json.loads(x) for x in hour_open("threads", "--json").stdout.splitlines()]
        claim: str = next(r for r in rows if r["thread"] == number)["claimed_by"]
        return claim

    # The first reply checks the changed file whole; the second reads `[office]` alone from the
    # file that passed (cli/sections.py): the same name either way.
    hour_open("reply", "1", "Wir kümmern uns.")
    hour_open("reply", "2", "Wir kümmern uns.")
    assert [claimed(1), claimed(2)] == ["Team Presse", "Team Presse"]


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
