"""Whether a message belongs to the hour: the one decision for "in the hour", "just before
the start" and "between hours" (issue 13).

The seeds promise chats during the announced hour only. A message the messenger stamped before
the session opened waited there between hours: it gets the away text and is deleted, unless it
came within `hour.early_minutes` of the opening (someone eager a few minutes early), which is
taken into the hour like one sent inside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sprechstunde_cli.domain.model import SessionRecord, SessionState
from sprechstunde_cli.domain.rules import in_window


class Arrival(StrEnum):
    IN_HOUR = "in_hour"  # sent while the session is open: taken
    EARLY = "early"  # sent within the early window before the opening: taken
    BEFORE = "before"  # sent earlier, between hours: away text, deleted
    OUTSIDE = "outside"  # the session is not open now (not yet, or closed): away text, deleted

    @property
    def taken(self) -> bool:
        return self in (Arrival.IN_HOUR, Arrival.EARLY)


def accepting(session: SessionRecord, now: datetime) -> bool:
    """Whether the hour takes messages now: open, and between its opening and its end."""
    opened = session.opened_at
    return (
        session.state is SessionState.OPEN
        and opened is not None
        and in_window(now, opened, session.end)
    )


def arrival(session: SessionRecord, sent_at: datetime, now: datetime, early: timedelta) -> Arrival:
    """Where a message stamped `sent_at` and received `now` belongs."""
    opened = session.opened_at
    if opened is None or not accepting(session, now):
        return Arrival.OUTSIDE
    if sent_at >= opened:
        return Arrival.IN_HOUR
    return Arrival.EARLY if sent_at >= opened - early else Arrival.BEFORE
