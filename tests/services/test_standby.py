"""`standby` between hours, and its hand-over with `open`, over a whole week across a DST change
with a day the machine was off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.leases import receiver_lease
from sprechstunde_cli.services import leasing
from sprechstunde_cli.services.receipt import statistics_for
from sprechstunde_cli.services.standby import PACE_SECONDS
from tests.support.week_rig import week

ANNA, BERND, CARLA = "+49 170 0000011", "+49 170 0000012", "+49 170 0000013"
# Monday 19 October 2026, 10:00 in Berlin (CEST, UTC+2).
MONDAY = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
AWAY_NEXT_21 = "Die nächste Sprechstunde: Mittwoch, 21.10.2026, 16:00–17:00 Uhr."
AWAY_NEXT_28 = "Die nächste Sprechstunde: Mittwoch, 28.10.2026, 16:00–17:00 Uhr."


def test_between_hours_each_sender_gets_one_away_text_and_nothing_is_kept(
    tmp_path: Path,
) -> None:
    with week(tmp_path, MONDAY) as w:
        first = w.write(ANNA, "Wann wird die Laterne repariert?")
        w.write(ANNA, "Hallo?")
        w.write(BERND, "Frage zum Bauantrag")
        paused: list[float] = []
        w.standby.pause = paused.append

        report = w.stand_by()

        assert (report.taken, report.answered, report.deleted) == (3, 2, 3)
        assert paused == [PACE_SECONDS]  # replies go out one at a time, never in a burst
        assert len(w.phone(ANNA)) == 1 and w.phone(ANNA)[0].endswith(AWAY_NEXT_21)
        assert len(w.phone(BERND)) == 1
        assert w.provider.remaining(ANNA, [first]) == frozenset()
        # Again the next day: still the same gap, so no second away text.
        w.clock.advance(days=1)
        w.write(ANNA, "Noch eine Frage")
        assert w.stand_by().answered == 0
        assert len(w.phone(ANNA)) == 1
        # Only a count, under the session that follows; no session, thread or message here.
        assert w.store.counters("mittwoch-2026-10-21")[Counter.BETWEEN_HOURS] == 4
        assert w.store.sessions() == []


def test_a_week_across_the_dst_change_with_open_handing_over_and_a_day_off(
    tmp_path: Path,
) -> None:
    with week(tmp_path, MONDAY) as w:
        # Monday: a question between hours.
        w.write(ANNA, "Montag: Frage zur Laterne")
        assert w.stand_by().answered == 1

        # Wednesday 16:00 CEST (14:00 UTC): the session is due, standby lets the messenger go.
        w.clock.current = datetime(2026, 10, 21, 14, 0, tzinfo=UTC)
        assert w.stand_by().handed_to == "mittwoch-2026-10-21"
        w.write(BERND, "Frage in der Stunde")
        step = w.open("mittwoch-2026-10-21")
        assert step.intake.new_threads == [1] and step.problems == []
        # While the hour runs, standby stays away from the messenger.
        w.write(CARLA, "Noch eine in der Stunde")
        assert w.stand_by().handed_to == "mittwoch-2026-10-21"
        assert w.open("mittwoch-2026-10-21").intake.new_threads == [2]
        w.clock.advance(minutes=55)
        w.close()

        # After the close standby takes over again, from where the hour stopped: nobody
        # who wrote in the hour gets an away text.
        w.clock.advance(minutes=10)
        assert w.stand_by().taken == 0
        assert all("nicht geöffnet" not in t for t in w.phone(BERND) + w.phone(CARLA))
        assert leasing.holder_of(w.store, receiver_lease("local"), w.clock.now()) == (
            w.standby.holder
        )

        # Thursday the machine is off; messages wait at the messenger.
        w.clock.current = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
        w.write(ANNA, "Donnerstag: noch mal die Laterne")
        w.write(ANNA, "Donnerstag: und der Gehweg")
        # Friday it runs again: one away text for Anna in this new gap, naming the next
        # Wednesday at 16:00 local time, which after Sunday's change is 15:00 UTC.
        w.clock.current = datetime(2026, 10, 23, 7, 0, tzinfo=UTC)
        report = w.stand_by()
        assert (report.taken, report.answered, report.deleted) == (2, 1, 2)
        assert w.phone(ANNA)[-1].endswith(AWAY_NEXT_28)
        assert len(w.phone(ANNA)) == 2  # Monday's and Friday's: one per gap

        # Sunday 25 October: clocks go back. Wednesday 16:00 CET is 15:00 UTC.
        w.clock.current = datetime(2026, 10, 28, 14, 30, tzinfo=UTC)  # 15:30 CET
        w.write(BERND, "Kurz vor der Stunde")
        assert w.stand_by().handed_to is None  # not due yet: standby still answers
        assert w.phone(BERND)[-1].endswith(AWAY_NEXT_28)
        w.clock.current = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)  # 16:00 CET
        assert w.stand_by().handed_to == "mittwoch-2026-10-28"
        w.write(CARLA, "Pünktlich")
        assert w.open("mittwoch-2026-10-28").intake.new_threads == [1]
        rows = w.store.thread_rows("mittwoch-2026-10-28")
        # Nothing written between hours reached an operator's view: only Carla's message.
        assert [r.last_line for r in rows] == ["Pünktlich"]
        assert [r.last_line for r in w.store.thread_rows("mittwoch-2026-10-21")] == [
            "Frage in der Stunde",
            "Noch eine in der Stunde",
        ]
        counts = w.store.counters("mittwoch-2026-10-28")[Counter.BETWEEN_HOURS]
        assert counts == 3
        # `stats` shows the count, and only the count.
        assert statistics_for(w.store, "mittwoch-2026-10-28").between_hours == 3


def test_open_waits_while_a_live_standby_holds_the_messenger(tmp_path: Path) -> None:
    with week(tmp_path, MONDAY) as w:
        w.stand_by()  # holds the receiver lease
        # Its last step came a second before the hour; `open` starts on the dot, before
        # standby's next step: open waits and says who holds the messenger.
        w.clock.current = datetime(2026, 10, 21, 14, 0, tzinfo=UTC) - timedelta(seconds=1)
        w.stand_by()
        w.clock.advance(seconds=1)
        w.write(ANNA, "Genau zur Stunde")
        step = w.open("mittwoch-2026-10-21")
        assert step.intake.stored == 0
        assert step.problems and "standby" in step.problems[0]
        # Standby's next step sees the session open and lets go; open then receives.
        assert w.stand_by().handed_to == "mittwoch-2026-10-21"
        assert w.open("mittwoch-2026-10-21").intake.stored == 1


def test_a_purge_leaves_late_messages_to_a_running_standby(tmp_path: Path) -> None:
    from sprechstunde_cli.services.purge import Places, purge

    with week(tmp_path, datetime(2026, 10, 21, 14, 0, tzinfo=UTC)) as w:
        w.write(ANNA, "In der Stunde")
        w.open("mittwoch-2026-10-21")
        w.clock.advance(minutes=30)
        w.close()
        assert w.stand_by().taken == 0  # standby has the messenger again
        w.write(BERND, "Zu spät")

        places = Places(w.data, w.data / "sessions" / "x", w.data / "log" / "x.log", tmp_path)
        purge(w.store, w.provider, w.config, "mittwoch-2026-10-21", w.clock, places=places,
              mailer=None)  # fmt: skip

        # The purge did not receive beside standby: the late message is standby's to answer.
        assert w.phone(BERND) == []
        assert w.store.counters("mittwoch-2026-10-21").get(Counter.LATE_MESSAGES, 0) == 0
        assert w.stand_by().answered == 1
        assert len(w.phone(BERND)) == 1


def test_the_first_run_answers_only_the_last_day_not_the_history(tmp_path: Path) -> None:
    with week(tmp_path, MONDAY - timedelta(days=3)) as w:
        old = w.write(ANNA, "Vor drei Tagen, noch vor standby")
        w.clock.current = MONDAY - timedelta(hours=2)
        w.write(BERND, "Vor zwei Stunden")
        w.clock.current = MONDAY

        report = w.stand_by()

        # Bernd wrote within the last day before standby's first run: answered. Anna's chat is
        # the messenger's history: neither answered nor deleted (no account-wide sweep).
        assert (report.taken, report.answered) == (1, 1)
        assert w.phone(ANNA) == [] and len(w.phone(BERND)) == 1
        assert w.provider.remaining(ANNA, [old]) == frozenset({old})


def test_calls_between_hours_are_declined_and_answered_once(tmp_path: Path) -> None:
    with week(tmp_path, MONDAY) as w:
        w.messenger.citizen_call(CARLA)
        w.stand_by()
        w.clock.advance(minutes=5)
        w.messenger.citizen_call(CARLA)
        w.stand_by()

        calls = [e for e in w.messenger.phone(CARLA) if e.type == "call"]
        assert [c.call_state for c in calls] == ["rejected", "rejected"]
        assert len(w.phone(CARLA)) == 1 and w.phone(CARLA)[0].endswith(AWAY_NEXT_21)
