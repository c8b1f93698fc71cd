"""What this machine knows of the planned sessions: which to open, list, announce or check.

Which session a command means: services/current.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import FINISHED, SessionState
from sprechstunde_cli.domain.rehearsal import spec_of
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ConfigError, NotFoundError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.store import Store


def session_to_open(
    store: Store, config: Config, session_id: str | None, now: datetime, rehearse: bool
) -> SessionSpec:
    """The named session; else one already open; else the one in its hour; else the next."""
    if session_id:
        known = store.session(session_id)
        if known is not None and known.rehearsal_of is not None:
            return spec_of(known)  # a rehearsal's copy: in the store only
        return config.session(session_id)
    for record in store.sessions(SessionState.OPEN):
        if record.rehearsal_of is not None:
            return spec_of(record)
        if record.id in config.sessions:
            return config.session(record.id)
    upcoming = still_to_come(store, config, now)
    current = [s for s in upcoming if s.start <= now]
    if current:
        return current[0]
    if rehearse and upcoming:
        return upcoming[0]
    if upcoming:
        nxt = upcoming[0]
        raise NotFoundError(
            _(
                "No session's hour is now; the next is '{id}' at {start:%Y-%m-%d %H:%M} "
                "({timezone})."
            ).format(id=nxt.id, start=nxt.start, timezone=nxt.timezone),
            _("Wait for it, or rehearse it now: sprechstunde open {id} --now").format(id=nxt.id),
        )
    raise NotFoundError(
        _("The config plans no upcoming session."),
        _("Add a [sessions.<id>] table to the config (see config.example.toml)."),
    )


@dataclass(frozen=True)
class Listed:
    """One session for `sessions`: as planned, with its state on this machine."""

    spec: SessionSpec
    state: str  # a SessionState value; "planned" for what this machine has not seen yet
    rehearsal_of: str | None = None  # a rehearsal's copy of this planned session


def listing(store: Store, config: Config, now: datetime, ahead: int = 20) -> list[Listed]:
    """What this machine has seen (open, closed, purged; rehearsals too), then what the config
    plans next."""
    known = {s.id: s for s in store.sessions()}
    specs = [
        spec_of(record) if record.rehearsal_of else config.session(sid)
        for sid, record in known.items()
        if record.rehearsal_of or _configured(config, sid)
    ]
    specs += [s for s in config.upcoming(now)[:ahead] if s.id not in known]
    return [
        Listed(
            spec,
            known[spec.id].state.value if spec.id in known else "planned",
            known[spec.id].rehearsal_of if spec.id in known else None,
        )
        for spec in sorted(specs, key=lambda s: s.start)
    ]


def finished(store: Store | None) -> frozenset[str]:
    """The sessions held already (closing, closed, purged): none can still take place."""
    if store is None:
        return frozenset()
    return frozenset(s.id for s in store.sessions(*FINISHED))


def still_to_come(store: Store | None, config: Config, now: datetime) -> list[SessionSpec]:
    """`config.upcoming`, without the sessions held already (one closed before its end)."""
    held = finished(store)
    return [s for s in config.upcoming(now) if s.id not in held]


def known_states(store: Store | None) -> dict[str, str]:
    """What this machine knows of each session: its state (a SessionState value)."""
    return {} if store is None else {s.id: s.state.value for s in store.sessions()}


def messenger_to_check(store: Store | None, config: Config, now: datetime) -> tuple[str, str]:
    """For `doctor`: the running session's messenger, else the next one's; and why."""
    if store is not None:
        running = store.sessions(SessionState.OPEN, SessionState.CLOSING)
        if running:
            return running[0].provider, _("session '{id}' is {state}").format(
                id=running[0].id, state=running[0].state.value
            )
    upcoming = still_to_come(store, config, now)
    if upcoming:
        return upcoming[0].provider, _("next session '{id}'").format(id=upcoming[0].id)
    raise NotFoundError(
        _("No session is open or planned, so there is no messenger to check."),
        _("Name one: sprechstunde doctor --provider waha (or local, matrix …)."),
    )


def _configured(config: Config, session_id: str) -> bool:
    try:
        config.session(session_id)
    except (ConfigError, NotFoundError):
        return False  # opened once, then removed from the config: nothing to list it by
    return True
