"""`schedule`, `announce` and `sandbox status` from the command line, with a fake clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Plugs, Sp
from tests.support.clocks import FakeClock
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.startup import HEAVY_FOR_HELP, loaded, probe

CONFIG = """
[office]
name = "Stadt Musterstadt"

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde"
rrule = "FREQ=WEEKLY;BYDAY=WE"
first = 2026-12-02
start_time = "16:00"
end_time = "17:00"
holidays = "BE"
skip = [2026-12-23]
move = { "2026-12-30" = "2026-12-29T16:00:00" }

[announce]
handle = "+49 000 0000000"

[announce.messenger]
offsets = ["week", "start"]
"""
MASTODON = '[announce.mastodon]\ninstance = "https://social.example.org"\noffsets = ["week"]\n'
WEEK_DUE = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a week before 16 Dec, 16:00 Berlin


@pytest.fixture
def planned(isolated: Path, clock: FakeClock) -> FakeClock:
    (isolated / "config.toml").write_text(CONFIG, encoding="utf-8")
    clock.current = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    return clock


def test_schedule_lists_dates_with_state_and_cancellations(sp: Sp, planned: FakeClock) -> None:
    result = sp("schedule", "--count", "4")

    assert result.stdout.splitlines() == [
        "mittwoch-2026-12-02  Wed 2026-12-02 16:00–17:00 Europe/Berlin  local  planned",
        "mittwoch-2026-12-09  Wed 2026-12-09 16:00–17:00 Europe/Berlin  local  planned",
        "mittwoch-2026-12-16  Wed 2026-12-16 16:00–17:00 Europe/Berlin  local  planned",
        "mittwoch-2026-12-23  Wed 2026-12-23 16:00–17:00 Europe/Berlin  local  cancelled (skipped)",
        "mittwoch-2026-12-30  Tue 2026-12-29 16:00–17:00 Europe/Berlin  local  planned (moved)",
    ]
    assert result.stderr == ""


def test_schedule_shows_holidays_and_json(sp: Sp, planned: FakeClock) -> None:
    planned.current = datetime(2027, 3, 1, tzinfo=UTC)

    rows = [
        json.loads(line) for line in sp("schedule", "--json", "--count", "2").stdout.splitlines()
    ]

    assert [(r["id"], r["state"], r["holiday"]) for r in rows] == [
        ("mittwoch-2027-03-03", "planned", None),
        ("mittwoch-2027-03-10", "planned", None),
    ]
    assert rows[0]["start"] == "2027-03-03T16:00:00+01:00"
    assert rows[0]["schedule"] == "mittwoch" and rows[0]["moved"] is False
    planned.current = datetime(2027, 5, 1, tzinfo=UTC)  # 26 May 2027: no holiday; 6 May is Thu
    assert "cancelled" not in sp("schedule", "--count", "3").stdout


def test_schedule_writes_ics_and_snippet_once(sp: Sp, planned: FakeClock, tmp_path: Path) -> None:
    ics, snippet = tmp_path / "s.ics", tmp_path / "s.md"

    first = sp("schedule", "--count", "2", "--ics", str(ics), "--snippet", str(snippet))
    planned.advance(minutes=5)
    again = sp("schedule", "--count", "2", "--ics", str(ics), "--snippet", str(snippet))

    assert first.stdout.splitlines()[-2:] == [f"wrote {ics}", f"wrote {snippet}"]
    assert again.stdout.splitlines()[-2:] == [f"unchanged: {ics}", f"unchanged: {snippet}"]
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert snippet.read_text(encoding="utf-8").startswith(
        "Nächste WhatsApp-Sprechstunde: Mittwoch, 02.12.2026, 16–17 Uhr"
    )


def test_schedule_ics_into_a_missing_directory_fails_with_a_hint(
    sp: Sp, planned: FakeClock, tmp_path: Path
) -> None:
    result = sp("schedule", "--ics", str(tmp_path / "nope" / "s.ics"), expect=ExitCode.USAGE)

    assert (
        "Error: Cannot write" in result.stderr and "Hint: Check that the directory" in result.stderr
    )


def test_announce_due_posts_to_the_local_status_and_marks_the_session(
    sp: Sp, planned: FakeClock
) -> None:
    planned.current = WEEK_DUE

    result = sp("announce", "--due")
    again = sp("announce", "--due")

    # The 9 Dec session starts now too: its "start" notice is due at the same moment.
    assert result.stdout.splitlines() == [
        "sent: mittwoch-2026-12-09 start → messenger",
        "sent: mittwoch-2026-12-16 week → messenger",
    ]
    assert again.stdout == "" and again.stderr == ""  # quiet for cron when nothing is due
    status = sp("sandbox", "status", "--json").stdout.splitlines()
    assert len(status) == 2
    assert json.loads(status[1])["text"].startswith(
        "WhatsApp-Sprechstunde: Am Mittwoch, 16.12.2026"
    )
    shown = sp("sandbox", "status").stdout
    assert "Phone of status" in shown and "Oberbürgermeisterin Erika" in shown
    rows = sp("schedule", "--json", "--count", "3").stdout.splitlines()
    states = [json.loads(row)["state"] for row in rows]
    assert states == ["announced", "announced", "cancelled", "planned"]


def test_dry_run_shows_what_and_when_and_posts_nothing(sp: Sp, planned: FakeClock) -> None:
    planned.current = WEEK_DUE

    lines = sp("announce", "--dry-run", "--count", "2").stdout.splitlines()

    week = lines.index("2026-12-09 16:00  mittwoch-2026-12-16  week → messenger  due")
    assert lines[week + 1].startswith("    WhatsApp-Sprechstunde: Am Mittwoch, 16.12.2026, von 16")
    assert "2026-12-09 16:00  mittwoch-2026-12-09  start → messenger  due" in lines
    assert "2026-12-16 16:00  mittwoch-2026-12-16  start → messenger  planned" in lines
    # Last week's session is within the look-back: its notices were missed, not due.
    assert "2026-12-02 16:00  mittwoch-2026-12-02  start → messenger  missed" in lines
    assert sp("sandbox", "status", "--json").stdout == ""


def test_announce_now_sends_one_by_hand_once(sp: Sp, planned: FakeClock) -> None:
    first = sp("announce", "mittwoch-2026-12-09", "--now", "--offset", "start")
    second = sp("announce", "mittwoch-2026-12-09", "--now", "--offset", "start")

    assert first.stdout == "sent: mittwoch-2026-12-09 start → messenger\n"
    assert second.stdout == (
        "mittwoch-2026-12-09 start → messenger: already sent; nothing posted.\n"
    )
    assert len(sp("sandbox", "status", "--json").stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--due", "--dry-run"),
        ("mittwoch-2026-12-09", "--offset", "week"),
        ("--now", "--offset", "week"),
        ("--due", "--target", "email"),
    ],
)
def test_announce_needs_exactly_one_mode(sp: Sp, planned: FakeClock, args: tuple[str, ...]) -> None:
    result = sp("announce", *args, expect=ExitCode.USAGE)

    assert result.stderr.startswith("Error: ")
    assert "Hint: " in result.stderr


def test_a_failing_target_is_reported_and_exits_incomplete_the_others_go_out(
    sp: Sp, planned: FakeClock, isolated: Path
) -> None:
    (isolated / "config.toml").write_text(CONFIG + MASTODON, encoding="utf-8")
    planned.current = WEEK_DUE

    result = sp("announce", "--due", expect=ExitCode.INCOMPLETE)

    assert "sent: mittwoch-2026-12-16 week → messenger\n" in result.stdout
    assert (
        "failed: mittwoch-2026-12-16 week → mastodon: No token for provider 'mastodon'. "
        "Run: sprechstunde login mastodon"
    ) in result.stderr


def test_mastodon_with_a_token_from_the_environment(
    sp: Sp, planned: FakeClock, isolated: Path, monkeypatch: pytest.MonkeyPatch, plugs: Plugs
) -> None:
    (isolated / "config.toml").write_text(CONFIG + MASTODON, encoding="utf-8")
    fake = FakeMastodon(token="env-token")
    monkeypatch.setenv("SPRECHSTUNDE_MASTODON_TOKEN", "env-token")
    plugs.transport = httpx.MockTransport(fake)
    planned.current = WEEK_DUE

    result = sp("announce", "--due")

    assert sorted(result.stdout.splitlines()) == [
        "sent: mittwoch-2026-12-09 start → messenger",
        "sent: mittwoch-2026-12-16 week → mastodon",
        "sent: mittwoch-2026-12-16 week → messenger",
    ]
    assert len(fake.statuses) == 1
    assert "env-token" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["schedule", "announce"])
def test_plan_help_imports_nothing_heavy(tmp_path: Path, command: str) -> None:
    run = probe(tmp_path, command, "--help")

    assert f"Usage: sprechstunde {command}" in run.stdout
    heavy = (*HEAVY_FOR_HELP, "dateutil", "holidays", "icalendar")
    assert loaded(run, *heavy) == []
