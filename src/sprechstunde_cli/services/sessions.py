"""Which session a command means, and what this machine knows of the planned ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionRecord, SessionSpec, SessionState
from sprechstunde_cli.errors import ConfigError, NotFoundError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store


def current_session(store: Store, session_id: str | None) -> SessionRecord:
    """The named session, or the one session that is open right now."""
    if session_id:
        return store.require_session(session_id)
    running = store.sessions(SessionState.OPEN, SessionState.CLOSING)
    if len(running) == 1:
        return running[0]
    if not running:
        closed = store.sessions(SessionState.CLOSED)
        if closed:
            # Typically a `close --purge` whose purge stopped: finish that one.
            raise NotFoundError(
                _("No session is open; '{id}' is closed but not yet purged.").format(
                    id=closed[-1].id
                ),
                _("Delete its data: sprechstunde purge {id}").format(id=closed[-1].id),
            )
        raise NotFoundError(
            _("No session is open."),
            _("Start one with: sprechstunde open (or name one with --session)."),
        )
    ids = ", ".join(s.id for s in running)
    raise NotFoundError(
        _("Several sessions are open ({ids}).").format(ids=ids),
        _("Name the one you mean with --session ID."),
    )


def session_to_open(
    store: Store, config: Config, session_id: str | None, now: datetime, rehearse: bool
) -> SessionSpec:
    """The named session; else one already open; else the one in its hour; else the next."""
    if session_id:
        return config.session(session_id)
    for record in store.sessions(SessionState.OPEN):
        if record.id in config.sessions:
            return config.session(record.id)
    upcoming = config.upcoming(now)
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
    spec: SessionSpec
    state: str  # a SessionState value; "planned" for what this machine has not seen yet


def listing(store: Store, config: Config, now: datetime, ahead: int = 20) -> list[Listed]:
    """What this machine has seen (open, closed, purged), then what the config plans next."""
    known = {s.id: s for s in store.sessions()}
    specs = [config.session(sid) for sid in known if _configured(config, sid)]
    specs += [s for s in config.upcoming(now)[:ahead] if s.id not in known]
    return [
        Listed(spec, known[spec.id].state.value if spec.id in known else "planned")
        for spec in sorted(specs, key=lambda s: s.start)
    ]


def messenger_to_check(store: Store | None, config: Config, now: datetime) -> tuple[str, str]:
    """For `doctor`: the running session's messenger, else the next one's; and why."""
    if store is not None:
        running = store.sessions(SessionState.OPEN, SessionState.CLOSING)
        if running:
            return running[0].provider, _("session '{id}' is {state}").format(
                id=running[0].id, state=running[0].state.value
            )
    upcoming = config.upcoming(now)
    if upcoming:
        return upcoming[0].provider, _("next session '{id}'").format(id=upcoming[0].id)
    raise NotFoundError(
        _("No session is open or planned, so there is no messenger to check."),
        _("Name one: sprechstunde doctor --provider waha (or local, matrix …)."),
    )


def _configured(config: Config, session_id: str) -> bool:
    try:
        config.session(session_id)
    except ConfigError:
        return False  # opened once, then removed from the config: nothing to list it by
    return True
