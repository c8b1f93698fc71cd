"""`close --purge`, `purge` and `receipt` from the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pypdf

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Plugs, Sp
from tests.support.clocks import FakeClock


def test_close_and_purge_leave_nothing(hour_open: Sp, tmp_path: Path) -> None:
    result = hour_open("close", "--purge")
    assert "closing words sent to 2 waiting thread(s)" in result.stdout
    assert "Local data deleted and verified (clean)" in result.stdout
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["verification"]["result"] == "clean"
    assert receipt["counts"]["threads"] == 2
    assert hour_open("sandbox", "inbox", "--as", "anna", "--json").stdout == ""
    result = hour_open("threads", expect=ExitCode.NOT_FOUND)
    assert "No session is open" in result.stderr
    result = hour_open("purge", "mittwoch")
    assert "already purged" in result.stdout


def test_after_a_close_without_purge_the_hint_names_the_purge(hour_open: Sp) -> None:
    hour_open("close")
    result = hour_open("close", "--purge", expect=ExitCode.NOT_FOUND)
    assert "'mittwoch' is closed but not yet purged" in result.stderr
    assert "sprechstunde purge mittwoch" in result.stderr


def test_the_receipt_agrees_with_stats_and_prints_as_a_pdf_without_citizen_data(
    hour_open: Sp, tmp_path: Path
) -> None:
    hour_open("close")
    # Late: after the close, before the purge; turned away and counted by the purge.
    hour_open("sandbox", "send", "--from", "spaet", "--name", "Spät Kommerin", "Noch offen?")
    hour_open("purge", "mittwoch")
    stats = hour_open("stats", "mittwoch").stdout
    assert "late messages:         1" in stats
    shown = hour_open("receipt", "mittwoch").stdout
    assert "late messages turned away: 1" in " ".join(shown.split())
    assert "Wed 02.12.2026, 16:00 – 17:00" in shown  # the config's local hour, not UTC
    assert "+00:00" not in shown and "True" not in shown
    pdf = tmp_path / "archiv" / "loeschprotokoll.pdf"
    result = hour_open("receipt", "mittwoch", "--pdf", str(pdf))
    assert str(pdf) in result.stdout
    assert pdf.stat().st_mode & 0o777 == 0o600
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "late messages turned away 1" in text
    assert "Wed 02.12.2026, 16:00 - 17:00" in text
    for citizen in ("Wann kommt der Bus", "Guten Tag", "Anna", "0000042", "Spät", "Noch offen"):
        assert citizen not in text
    # A folder is no file to write: named, with the fix, not a crash.
    wrong = hour_open("receipt", "mittwoch", "--pdf", str(tmp_path), expect=int(ExitCode.USAGE))
    assert f"Cannot write {tmp_path}" in wrong.stderr and "--pdf" in wrong.stderr


def test_close_shows_its_progress_and_purge_what_it_waits_for(hour_open: Sp) -> None:
    """Without a terminal: plain lines, how far the closing words are and why the purge waits
    (nobody has read them, so it waits out the grace on the test's clock)."""
    result = hour_open("close", "--purge")
    assert "Delivered or given up: 2 of 2 message(s)." in result.stdout
    assert "Waiting for 2 of 2 citizens' apps to show the closing words" in result.stdout
    assert "sprechstunde purge mittwoch` goes on later" in result.stdout
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["counts"]["closing_grace_seconds"] == 600
    assert receipt["counts"]["closing_words_confirmed"] == 0


def test_citizens_who_read_their_inbox_let_the_purge_go_on(hour_open: Sp, clock: FakeClock) -> None:
    hour_open("close")
    start = clock.now()
    for handle in ("anna", "+49 000 0000042"):
        inbox = hour_open("sandbox", "inbox", "--as", handle).stdout
        assert "Die Sprechstunde ist beendet" in inbox
    result = hour_open("purge", "mittwoch")
    assert "Waiting" not in result.stdout
    assert clock.now() - start < timedelta(minutes=1)
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["counts"]["closing_words_confirmed"] == 2


class ImpatientClock(FakeClock):
    """The operator presses Ctrl-C the first time the command waits."""

    def sleep(self, seconds: float) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_purge_waits_leaves_it_for_purge_to_finish(
    hour_open: Sp, clock: FakeClock, plugs: Plugs
) -> None:
    plugs.clock = ImpatientClock(clock.now())
    result = hour_open("close", "--purge", expect=ExitCode.INTERRUPTED)
    assert "Waiting for 2 of 2 citizens' apps" in result.stdout
    assert "Purge stopped. Finish it with: sprechstunde purge mittwoch" in result.stdout
    assert "Die Sprechstunde ist beendet" in hour_open("sandbox", "inbox", "--as", "anna").stdout
    plugs.clock = clock
    result = hour_open("purge", "mittwoch")  # anna has read it now; the grace does the rest
    assert "Local data deleted and verified (clean)" in result.stdout
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["counts"]["closing_words_confirmed"] == 1
