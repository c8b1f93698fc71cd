"""Domain values shared by services, store, providers and render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sprechstunde_cli.errors import StateError
from sprechstunde_cli.i18n import N_, _


class SessionState(StrEnum):
    PLANNED = "planned"
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"
    PURGED = "purged"


# A session in one of these has been held: it cannot take place (again), so no view, calendar,
# announcement or citizen text names it as one still to come.
FINISHED = frozenset({SessionState.CLOSING, SessionState.CLOSED, SessionState.PURGED})

# planned → announced → open → closing → closed → purged (docs/ARCHITECTURE.md). `announced` is
# optional (a rehearsal is never announced) and a crashed close may be resumed from `closing`.
_TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    SessionState.PLANNED: frozenset({SessionState.ANNOUNCED, SessionState.OPEN}),
    SessionState.ANNOUNCED: frozenset({SessionState.OPEN}),
    SessionState.OPEN: frozenset({SessionState.CLOSING}),
    SessionState.CLOSING: frozenset({SessionState.CLOSED}),
    SessionState.CLOSED: frozenset({SessionState.PURGED}),
    SessionState.PURGED: frozenset(),
}

_NEXT_STEP_HINT: dict[SessionState, str] = {
    SessionState.PLANNED: N_("Open it first: sprechstunde open {sid}"),
    SessionState.ANNOUNCED: N_("Open it first: sprechstunde open {sid}"),
    SessionState.OPEN: N_("Close it first: sprechstunde close {sid}"),
    SessionState.CLOSING: N_("Finish the close: sprechstunde close {sid}"),
    SessionState.CLOSED: N_("Delete its data: sprechstunde purge {sid}"),
    SessionState.PURGED: N_("This session is finished and its data deleted; plan a new one."),
}


def check_transition(session_id: str, current: SessionState, target: SessionState) -> None:
    """Raise a StateError naming the next legal step unless current → target is allowed."""
    if target not in _TRANSITIONS[current]:
        raise StateError(
            _("Session '{session_id}' is {value}; it cannot become {value2}.").format(
                session_id=session_id, value=current.value, value2=target.value
            ),
            _(_NEXT_STEP_HINT[current]).format(sid=session_id),
        )


def require_state(session_id: str, current: SessionState, *allowed: SessionState) -> None:
    """Raise a StateError naming the next legal step unless current is one of allowed."""
    if current not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise StateError(
            _("Session '{session_id}' is {value}; this needs it {wanted}.").format(
                session_id=session_id, value=current.value, wanted=wanted
            ),
            _(_NEXT_STEP_HINT[current]).format(sid=session_id),
        )


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    FILE = "file"


class Purpose(StrEnum):
    """Why the office sent a message: each automatic text is sent at most once per occasion."""

    GREETING = "greeting"
    REPLY = "reply"
    AWAY = "away"
    CALL_REFUSAL = "call_refusal"
    LAST_CALL = "last_call"
    CLOSING = "closing"
    HANDOFF = "handoff"  # confirms to the citizen that a department will answer by e-mail
    MEDIA_TOO_LARGE = "media_too_large"  # their file was over hour.max_media_mb
    UNREADABLE = "unreadable"  # an encrypted message the office never got the key for


@dataclass(frozen=True)
class SessionRecord:
    """A session as the store knows it, once it has been opened."""

    id: str
    title: str
    official: str
    provider: str
    timezone: str
    planned_start: datetime
    planned_end: datetime
    state: SessionState
    opened_at: datetime | None
    effective_end: datetime | None  # planned_end, or shifted when opened early for a rehearsal
    closed_at: datetime | None
    purged_at: datetime | None
    last_call_at: datetime | None
    rehearsal_of: str | None = None  # a rehearsal's copy: the planned session it rehearses

    @property
    def end(self) -> datetime:
        return self.effective_end or self.planned_end


class Clock(Protocol):
    """The session's time, injected everywhere below the CLI (tests walk it by hand)."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class Timer(Protocol):
    """Real elapsed time for a provider's waits on the network: the deadline of a long poll, the
    pause between polls, a wait the server asked for before the next join.

    Separate from `Clock`: a test that walks the session's clock must not also make a provider's
    long poll return before the server had a chance to answer. A Timer must advance with real
    time while a provider blocks on its network (a socket wait does not call `sleep`).
    """

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...
