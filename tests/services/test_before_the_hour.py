"""Messages that waited at the messenger from before the opening: the away text and deleted,
unless they came within hour.early_minutes, which are taken into the hour."""

from __future__ import annotations

from datetime import timedelta

from sprechstunde_cli.domain.counters import Counter
from tests.support.service_rig import Rig


def test_a_message_from_between_hours_is_turned_away_and_an_early_one_is_taken(rig: Rig) -> None:
    opening = rig.clock.now()
    rig.clock.current = opening - timedelta(days=2)
    tuesday = rig.messenger.citizen_send("+49 170 0000001", "Dienstag: Frage zur Müllabfuhr")
    rig.clock.current = opening - timedelta(minutes=10)
    rig.messenger.citizen_send("+49 170 0000002", "Bin etwas früh dran")
    rig.clock.current = opening
    rig.open(rehearse=True)

    report = rig.step()

    assert report.intake.stored == 1 and report.intake.late == 1
    rows = rig.store.thread_rows("mittwoch")
    assert [(r.number, r.last_line) for r in rows] == [(1, "Bin etwas früh dran")]
    assert rig.store.counters("mittwoch")[Counter.LATE_MESSAGES] == 1
    # The Tuesday writer gets the away text, naming the hour, and their message is gone.
    away = rig.phone("+49 170 0000001")
    assert len(away) == 1 and "Nachrichten außerhalb der Sprechstunde" in away[0]
    assert rig.provider.remaining("+49 170 0000001", [tuesday]) == frozenset()
    # Nothing of it reached an operator's view.
    assert all("Müllabfuhr" not in m.body for m in rig.store.messages("mittwoch"))


def test_the_early_window_is_configurable(rig: Rig) -> None:
    from tests.support.service_rig import make_config

    rig.config = make_config(early_minutes=0)
    opening = rig.clock.now()
    rig.clock.current = opening - timedelta(minutes=1)
    rig.messenger.citizen_send("+49 170 0000003", "Eine Minute zu früh")
    rig.clock.current = opening
    rig.open(rehearse=True)

    report = rig.step()

    assert report.intake.stored == 0 and report.intake.late == 1
    assert rig.store.thread_rows("mittwoch") == []
