"""Open a session (or its rehearsal's copy) and hold it: one `open` per session.

`open_session` decides what `open` opens: the session in its hour; outside it with `--now`, a
rehearsal's copy (domain/rehearsal.py) so the planned session stays planned; a running one is
resumed. The process that runs the hour holds the session's lease (domain/leases.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.domain.leases import Holder, session_lease
from sprechstunde_cli.domain.model import SessionRecord, SessionState, check_transition
from sprechstunde_cli.domain.rehearsal import rehearsal, spec_of
from sprechstunde_cli.domain.rules import in_window
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.domain.texts import german_span
from sprechstunde_cli.errors import StateError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.services import leasing
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import standby as receivers


@dataclass(frozen=True)
class Opened:
    """The session `open` now holds, and whether it was resumed or opened outside its window."""

    session: SessionRecord
    resumed: bool
    shifted: bool  # opened outside its planned window (a rehearsal's copy of an old store)

    @property
    def rehearsal_of(self) -> str | None:
        return self.session.rehearsal_of


def open_session(
    store: Store,
    spec: SessionSpec,
    now: datetime,
    *,
    actor: str,
    rehearse: bool = False,
    holder: Holder | None = None,
) -> Opened:
    """Open `spec` (or resume it); outside its window only when rehearsing, and then a copy of
    it (domain/rehearsal.py), so the planned session stays planned. `holder`: the process that
    runs the hour; it takes the session's lease first, so a second `open` of the same session
    refuses, naming the first."""
    known = store.session(spec.id)
    if not in_window(now, spec.start, spec.end) and (
        known is None or known.state is not SessionState.OPEN
    ):
        # Not due: its rehearsal, if one is open, or (--now) a new one.
        planned, running = spec.id, _open_rehearsal(store, spec.id)
        if running is not None:
            spec = running
        elif rehearse:
            spec = _fresh(store, rehearsal(spec, now))
            store.ensure_session(spec, rehearsal_of=planned)
    record = store.ensure_session(spec, rehearsal_of=_rehearsed(store, spec.id))
    if holder is not None:
        hold_session(store, spec.id, holder, now)
    if store.cursor(spec.id) is None:
        # Go on where `standby` stopped: what it answered between hours is not seen again.
        start = receivers.cursor(store, spec.provider)
        if start is not None:
            with store.write() as conn:
                store.set_cursor(conn, spec.id, start)
    if record.state is SessionState.OPEN:
        return Opened(record, resumed=True, shifted=record.effective_end != record.planned_end)
    if record.state not in (SessionState.PLANNED, SessionState.ANNOUNCED):
        check_transition(spec.id, record.state, SessionState.OPEN)  # raises with the next step
    inside = in_window(now, spec.start, spec.end)
    if not inside and not rehearse:
        window = german_span(spec.start, spec.end)
        message = (
            _("Session '{id}' ended: it is planned for {window} ({timezone}).")
            if now >= spec.end
            else _("Session '{id}' has not started: it is planned for {window} ({timezone}).")
        )
        raise StateError(
            message.format(id=spec.id, window=window, timezone=spec.timezone),
            _("Open it during its hour, or add --now to rehearse it right away."),
        )
    # A rehearsal outside the window keeps the planned length, starting now.
    effective_end = spec.end if inside else now + spec.duration
    opened = store.transition(
        spec.id, SessionState.OPEN, now, actor, opened_at=now, effective_end=effective_end
    )
    return Opened(opened, resumed=False, shifted=not inside)


def _fresh(store: Store, copy: SessionSpec) -> SessionSpec:
    """The copy under an id no earlier rehearsal used (two in one minute: `-2`, `-3` …)."""
    found, n = copy, 1
    while store.session(found.id) is not None:
        n += 1
        found = dataclasses.replace(copy, id=f"{copy.id}-{n}")
    return found


def _open_rehearsal(store: Store, session_id: str) -> SessionSpec | None:
    """The open rehearsal of a planned session, to resume instead of starting another."""
    for record in store.sessions(SessionState.OPEN):
        if record.rehearsal_of == session_id:
            return spec_of(record)
    return None


def _rehearsed(store: Store, session_id: str) -> str | None:
    known = store.session(session_id)
    return known.rehearsal_of if known is not None else None


def hold_session(store: Store, session_id: str, holder: Holder, now: datetime) -> None:
    leasing.hold(
        store,
        session_lease(session_id),
        holder,
        now,
        _("Session '{id}' is already running in another `open`:").format(id=session_id),
        _(
            "Use that terminal, or watch read-only with: sprechstunde open {id} --view. If that "
            "process has died, its hold runs out within a minute; then open again."
        ).format(id=session_id),
    )


def running_in(store: Store, session_id: str, now: datetime) -> Holder | None:
    """The `open` that runs the session's hour now, if any."""
    return leasing.holder_of(store, session_lease(session_id), now)
