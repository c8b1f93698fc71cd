"""Which session a command means: the one it names, or the one open right now.

Apart from services/sessions.py (planning: the config's sessions, rehearsals, listings), which
every command that works on threads would otherwise import for this one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import SessionRecord, SessionState
from sprechstunde_cli.errors import NotFoundError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
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
