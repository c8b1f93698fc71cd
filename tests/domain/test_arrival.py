"""The one decision: in the hour, just before it, between hours, or not open at all."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sprechstunde_cli.domain.arrival import Arrival, arrival
from sprechstunde_cli.domain.model import SessionRecord, SessionState

OPENED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
EARLY = timedelta(minutes=15)
SESSION = SessionRecord(
    id="mittwoch",
    title="t",
    official="o",
    provider="local",
    timezone="Europe/Berlin",
    planned_start=OPENED,
    planned_end=OPENED + timedelta(hours=1),
    state=SessionState.OPEN,
    opened_at=OPENED,
    effective_end=OPENED + timedelta(hours=1),
    closed_at=None,
    purged_at=None,
    last_call_at=None,
)
NOW = OPENED + timedelta(minutes=5)


def test_messages_are_placed_by_the_messengers_stamp() -> None:
    assert arrival(SESSION, OPENED + timedelta(minutes=1), NOW, EARLY) is Arrival.IN_HOUR
    assert arrival(SESSION, OPENED, NOW, EARLY) is Arrival.IN_HOUR
    assert arrival(SESSION, OPENED - EARLY, NOW, EARLY) is Arrival.EARLY
    assert arrival(SESSION, OPENED - timedelta(minutes=14), NOW, EARLY) is Arrival.EARLY
    before = OPENED - EARLY - timedelta(seconds=1)
    assert arrival(SESSION, before, NOW, EARLY) is Arrival.BEFORE
    assert arrival(SESSION, OPENED - timedelta(days=6), NOW, EARLY) is Arrival.BEFORE
    # No early window at all: only what came after the opening.
    assert arrival(SESSION, OPENED - timedelta(minutes=1), NOW, timedelta(0)) is Arrival.BEFORE


def test_nothing_is_taken_while_the_session_is_not_open() -> None:
    closed = dataclasses.replace(SESSION, state=SessionState.CLOSED)
    planned = dataclasses.replace(SESSION, state=SessionState.PLANNED, opened_at=None)
    after_the_end = OPENED + timedelta(hours=1)

    assert arrival(closed, NOW, NOW, EARLY) is Arrival.OUTSIDE
    assert arrival(planned, NOW, NOW, EARLY) is Arrival.OUTSIDE
    assert arrival(SESSION, NOW, after_the_end, EARLY) is Arrival.OUTSIDE
    assert [a.taken for a in Arrival] == [True, True, False, False]
