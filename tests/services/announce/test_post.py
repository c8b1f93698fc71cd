"""Announcements with an injected clock: due times, DST, holidays, misses, failures, crashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.errors import ConfigError, NotFoundError
from tests.support.announce_rig import SESSION, WEEK_DUE, Crash, rig

H = timedelta(hours=1)
M = timedelta(minutes=1)


def test_a_fortnight_walked_every_half_hour_posts_each_announcement_once(tmp_path: Path) -> None:
    with rig(tmp_path, datetime(2026, 12, 8, 0, 0, tzinfo=UTC)) as r:
        sent = r.walk(until=datetime(2026, 12, 17, 0, 0, tzinfo=UTC), step=30 * M)

        start = datetime(2026, 12, 16, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
        assert [(at, offset, target) for at, sid, offset, target in sent if sid == SESSION] == [
            (WEEK_DUE, "week", "messenger"),
            (WEEK_DUE, "week", "mastodon"),
            (WEEK_DUE, "week", "email"),
            (start - 24 * H, "day", "messenger"),
            (start - 24 * H, "day", "mastodon"),
            (start, "start", "messenger"),
            (start, "start", "mastodon"),
            (start + H, "end", "messenger"),
            (start + H, "end", "mastodon"),
        ]
        assert len(r.status()) == 4 and len(r.mastodon.statuses) == 4
        assert len(r.smtp.messages) == 1
        mail = r.smtp.messages[0]
        assert mail["Subject"] == "WhatsApp-Sprechstunde am Mittwoch, 16.12.2026, 16:00–17:00 Uhr"
        assert mail["To"] == "presseverteiler@example.org"
        assert "Schreiben Sie an +49 000 0000000" in mail.get_content()
        assert r.status()[0].startswith(
            "WhatsApp-Sprechstunde: Am Mittwoch, 16.12.2026, von 16:00 bis 17:00 Uhr, "
            "beantwortet Oberbürgermeisterin Erika Mustermann Ihre Fragen."
        )
        assert "Die nächste Sprechstunde: Mittwoch, 30.12.2026, 16:00–17:00 Uhr." in r.status()[-1]
        record = r.store.session(SESSION)
        assert record is not None and record.state is SessionState.ANNOUNCED
        assert r.store.state_history(SESSION) == [("planned", "announced")]


@pytest.mark.parametrize(
    ("first", "week_utc", "day_utc"),
    [
        # Session 31 Mar 2027 (summer time); the week notice falls before the change (winter).
        (
            "2027-03-31",
            datetime(2027, 3, 24, 15, tzinfo=UTC),
            datetime(2027, 3, 30, 14, tzinfo=UTC),
        ),
        # Session 28 Oct 2026 (winter time); the week notice falls before the change (summer).
        (
            "2026-10-28",
            datetime(2026, 10, 21, 14, tzinfo=UTC),
            datetime(2026, 10, 27, 15, tzinfo=UTC),
        ),
    ],
)
def test_offsets_keep_the_wall_clock_time_across_dst(
    tmp_path: Path, first: str, week_utc: datetime, day_utc: datetime
) -> None:
    start = week_utc - 2 * H
    with rig(tmp_path, start, first=first, rrule="FREQ=WEEKLY;BYDAY=WE") as r:
        sent = r.walk(until=day_utc + H, step=15 * M)

    posts = {(offset, at) for at, sid, offset, target in sent if target == "messenger"}
    assert posts == {("week", week_utc), ("day", day_utc)}


def test_a_session_on_a_public_holiday_is_never_announced(tmp_path: Path) -> None:
    # Weekly on Friday: 25 Dec 2026 and 1 Jan 2027 are public holidays in Berlin.
    with rig(tmp_path, datetime(2026, 12, 17, tzinfo=UTC), rrule="FREQ=WEEKLY;BYDAY=FR",
             first="2026-12-04") as r:  # fmt: skip
        sent = r.walk(until=datetime(2027, 1, 2, tzinfo=UTC), step=H)

        recorded = {k[0] for k in r.ledger()}

    sessions = {sid for _, sid, _, _ in sent}
    assert sessions == {"mittwoch-2026-12-18", "mittwoch-2027-01-08"}
    assert recorded.isdisjoint({"mittwoch-2026-12-25", "mittwoch-2027-01-01"})


# --- a machine that was off ------------------------------------------------------------------


def test_missed_by_a_day_is_recorded_as_skipped_once(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE - H) as r:
        assert r.run().outcomes == ()
        r.clock.current = WEEK_DUE + 24 * H + 30 * M  # the machine was off for a day

        first = r.run()
        again = r.run()

        assert {(o.offset, o.target, o.status) for o in first.outcomes} == {
            ("week", "messenger", "skipped"),
            ("week", "mastodon", "skipped"),
            ("week", "email", "skipped"),
        }
        assert "missed: due 2026-12-09 16:00, grace 2h is over" in first.outcomes[0].detail
        assert again.outcomes == ()
        assert r.status() == [] and r.mastodon.requests == [] and r.smtp.messages == []
        # The next offset still goes out on time.
        r.clock.current = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
        assert {o.offset for o in r.run().outcomes if o.status == "sent"} == {"day"}


def test_missed_within_the_grace_period_is_sent_late(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE + 90 * M) as r:
        report = r.run()

    assert {(o.target, o.status) for o in report.outcomes} == {
        ("messenger", "sent"),
        ("mastodon", "sent"),
        ("email", "sent"),
    }


def test_a_later_due_announcement_supersedes_an_earlier_one(tmp_path: Path) -> None:
    session_start = datetime(2026, 12, 16, 15, 0, tzinfo=UTC)
    with rig(tmp_path, session_start - 30 * M) as r:
        r.run()
        r.clock.current = session_start + H + 10 * M  # off through the whole hour

        report = r.run()

    assert {(o.offset, o.target, o.status) for o in report.outcomes} == {
        ("start", "messenger", "skipped"),
        ("start", "mastodon", "skipped"),
        ("end", "messenger", "sent"),
        ("end", "mastodon", "sent"),
    }
    assert "superseded by 'end'" in report.outcomes[0].detail


# --- independent targets, retries --------------------------------------------------------------


def test_one_failing_target_does_not_stop_the_others_and_is_retried(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE) as r:
        r.mastodon.token = "rotated"  # our token no longer works

        first = r.run()
        assert {(o.target, o.status) for o in first.outcomes} == {
            ("messenger", "sent"),
            ("mastodon", "failed"),
            ("email", "sent"),
        }
        failed = next(o for o in first.outcomes if o.status == "failed")
        assert "Run: sprechstunde login mastodon" in failed.detail

        r.clock.advance(minutes=1)  # before the back-off is over: not asked again
        assert r.run().outcomes == ()
        assert len(r.mastodon.requests) == 1

        r.mastodon.token = "test-token"  # the operator logged in again
        r.clock.advance(minutes=5)
        assert [(o.target, o.status) for o in r.run().outcomes] == [("mastodon", "sent")]
        assert len(r.mastodon.statuses) == 1 and len(r.status()) == 1
        assert r.ledger()[(SESSION, "week", "mastodon")] == "sent"


def test_a_failure_past_the_grace_period_is_given_up_with_its_last_error(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE) as r:
        r.mastodon.token = "rotated"
        r.run()
        r.clock.current = WEEK_DUE + 2 * H + M

        report = r.run()
        assert r.ledger()[(SESSION, "week", "mastodon")] == "skipped"

    (outcome,) = report.outcomes
    assert (outcome.target, outcome.status) == ("mastodon", "skipped")
    assert (
        "last error: Mastodon refused the access token (posting the announcement: HTTP 401)"
        in outcome.detail
    )


def test_a_rate_limit_is_waited_out(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE) as r:
        r.mastodon.remaining = 0
        assert [o.status for o in r.run().outcomes if o.target == "mastodon"] == ["failed"]

        r.clock.advance(minutes=3)  # Retry-After said 300 s
        r.run()
        assert [q.status_code for q in r.mastodon.requests] == [429]

        r.mastodon.remaining = 10
        r.clock.advance(minutes=3)
        assert [(o.target, o.status) for o in r.run().outcomes] == [("mastodon", "sent")]


def test_a_messenger_that_cannot_announce_is_skipped(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE, no_announce=True) as r:
        report = r.run()

    messenger = next(o for o in report.outcomes if o.target == "messenger")
    assert messenger.status == "skipped"
    assert "cannot post public notices" in messenger.detail
    assert r.status() == [] and len(r.mastodon.statuses) == 1


# --- overlapping runs and crashes ----------------------------------------------------------------


def test_a_run_that_starts_while_another_posts_does_not_post_again(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE) as r:
        inner: list[str] = []
        post = r.mastodon._handle

        def overlapping(request):  # type: ignore[no-untyped-def]
            if not inner:  # a second cron run starts while the first waits for Mastodon
                inner.extend(f"{o.target}:{o.status}" for o in r.run().outcomes)
            return post(request)

        r.mastodon._handle = overlapping  # type: ignore[method-assign]
        outer = r.run()

    assert inner == ["mastodon:busy", "email:sent"]
    assert [f"{o.target}:{o.status}" for o in outer.outcomes] == ["messenger:sent", "mastodon:sent"]
    assert (len(r.status()), len(r.mastodon.statuses), len(r.smtp.messages)) == (1, 1, 1)


def test_crash_after_posting_to_mastodon_is_repeated_with_the_same_key(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE, crash_after={"mastodon"}) as r:
        with pytest.raises(Crash):
            r.run()
        assert r.ledger()[(SESSION, "week", "mastodon")] == "sending"
        r.crash_after.clear()

        r.clock.advance(minutes=1)  # the dead run's lease still holds
        busy = r.run()
        r.clock.advance(minutes=15)
        resumed = r.run()
        assert r.ledger()[(SESSION, "week", "mastodon")] == "sent"

    assert [(o.target, o.status) for o in busy.outcomes] == [
        ("mastodon", "busy"),
        ("email", "sent"),
    ]
    assert [(o.target, o.status) for o in resumed.outcomes] == [("mastodon", "resent")]
    first, again = r.mastodon.requests
    assert first.key == again.key and first.status_code == again.status_code == 200
    assert len(r.mastodon.statuses) == 1  # exact: the fake returned the same status


def test_crash_after_mailing_is_reported_as_uncertain_never_mailed_twice(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE, crash_after={"email"}) as r:
        with pytest.raises(Crash):
            r.run()
        r.crash_after.clear()
        r.clock.advance(minutes=16)

        report = r.run()
        later = r.run()

        (outcome,) = report.outcomes
        assert (outcome.target, outcome.status) == ("email", "uncertain")
        assert "may or may not have gone out" in outcome.detail
        assert f"sprechstunde announce {SESSION} --now --offset week --target email" in (
            outcome.detail
        )
        assert later.outcomes == ()
        assert len(r.smtp.messages) == 1
        # The operator checked: it did not arrive. A manual send is their call.
        manual = r.send_now(SESSION, "week", only="email")
        assert [(o.target, o.status) for o in manual.outcomes] == [("email", "sent")]
        assert len(r.smtp.messages) == 2


def test_a_crash_noticed_after_mastodons_key_window_is_uncertain(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE, crash_after={"mastodon"}, grace="1d") as r:
        with pytest.raises(Crash):
            r.run()
        r.crash_after.clear()
        r.clock.advance(hours=3)  # the machine went down with the run

        report = r.run()

    assert [(o.target, o.status) for o in report.outcomes if o.target == "mastodon"] == [
        ("mastodon", "uncertain")
    ]
    assert len(r.mastodon.requests) == 1


def test_a_crash_noticed_after_the_grace_period_is_uncertain_not_skipped(tmp_path: Path) -> None:
    with rig(tmp_path, WEEK_DUE, crash_after={"messenger"}) as r:
        with pytest.raises(Crash):
            r.run()
        r.crash_after.clear()
        r.clock.advance(hours=5)

        report = r.run()

    assert {(o.target, o.status) for o in report.outcomes} == {
        ("messenger", "uncertain"),
        ("mastodon", "skipped"),
        ("email", "skipped"),
    }
    assert len(r.status()) == 1


# --- by hand --------------------------------------------------------------------------------------


def test_send_now_posts_once_and_then_says_it_was_sent(tmp_path: Path) -> None:
    with rig(tmp_path, datetime(2026, 12, 1, tzinfo=UTC)) as r:
        first = r.send_now(SESSION, "start")
        second = r.send_now(SESSION, "start")

    assert [(o.target, o.status) for o in first.outcomes] == [
        ("messenger", "sent"),
        ("mastodon", "sent"),
    ]
    assert [(o.status, o.detail) for o in second.outcomes] == [("done", "already sent")] * 2
    assert r.status()[0].startswith("Jetzt geöffnet bis 17:00 Uhr")


def test_send_now_refuses_unknown_offsets_targets_and_sessions(tmp_path: Path) -> None:
    with rig(tmp_path, datetime(2026, 12, 1, tzinfo=UTC)) as r:
        with pytest.raises(ConfigError, match="No announcement offset 'monat'") as info:
            r.send_now(SESSION, "monat")
        assert "known: week, day, start, end" in info.value.message
        with pytest.raises(ConfigError, match="No announcement target posts the offset 'day'"):
            r.send_now(SESSION, "day", only="email")
        with pytest.raises(NotFoundError, match="No session 'mittwoch-2026-12-17'"):
            r.send_now("mittwoch-2026-12-17", "week")
