"""Record a hand-off, with consent, while the hour is open, and confirm it to the citizen.

The confirmation (department, masked address) must reach the citizen before the closing words;
once `close` has started, the hour is over for hand-offs too.
"""

from __future__ import annotations

from datetime import datetime

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.handoffs import Consent, Handoff
from sprechstunde_cli.domain.model import Purpose, SessionRecord
from sprechstunde_cli.domain.model import SessionState as S
from sprechstunde_cli.domain.texts import render
from sprechstunde_cli.errors import ConflictError, InputError, StateError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services.changes import question_of
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.services.handoff.addresses import (
    check_email,
    detect_email,
    mask_email,
    resolve_department,
)
from sprechstunde_cli.services.texts import values
from sprechstunde_cli.store import Store, handoffs, outbox


def record(
    store: Store,
    provider: Provider,
    config: Config,
    session: SessionRecord,
    number: int,
    *,
    department: str,
    email: str,
    note: str,
    consent: Consent,
    operator: str,
    now: datetime,
) -> Handoff:
    """Record a hand-off with consent and confirm it to the citizen; a re-run is harmless."""
    dept, address, question = _checked(
        store, config, session, number, department, email, note, consent
    )
    key = keys.handoff(session.id, number, dept)
    confirmation_text = render(
        config.texts.handoff_confirmation,
        {**values(session, config), "department": dept, "email": mask_email(address)},
    )
    chat = store.thread(session.id, number).chat
    with store.write() as conn:
        existing = handoffs.get(store, session.id, number, dept, conn=conn)
        if existing is not None and existing.email != address:
            raise ConflictError(
                _("Thread {number} is already handed to {dept} (to {mask_email}).").format(
                    number=number, dept=dept, mask_email=mask_email(existing.email)
                ),
                _("A hand-off keeps the address it was recorded with; it goes out at close."),
            )
        if existing is None:
            handoffs.insert(
                store,
                conn,
                session.id,
                thread=number,
                department=dept,
                email=address,
                question=question,
                note=note.strip(),
                consent=consent,
                operator=operator,
                now=now,
            )
        outbox.enqueue(
            store,
            conn,
            session.id,
            thread=number,
            chat=chat,
            purpose=Purpose.HANDOFF,
            body=confirmation_text,
            key=key,
            now=now,
            operator=operator,
        )
        # The confirmation answers the thread: it must not get "we could not answer" at close.
        store.answered(conn, session.id, number, now)
    _send_confirmation(store, provider, session.id, key, now)
    found = handoffs.get(store, session.id, number, dept)
    assert found is not None  # inserted above, or there before
    return found


def _send_confirmation(
    store: Store, provider: Provider, session_id: str, key: str, now: datetime
) -> None:
    """At once, if it is still waiting (a re-run finds it sent already)."""
    queued = handoffs.outbox_state(store, key)
    if queued is not None and queued[1] == outbox.PENDING:
        deliver_due(store, provider, session_id, now, only_id=queued[0])


def _checked(
    store: Store,
    config: Config,
    session: SessionRecord,
    number: int,
    department: str,
    email: str,
    note: str,
    consent: Consent,
) -> tuple[str, str, str]:
    """(department, address, question) of a hand-off that may be recorded; else the reason."""
    if session.state is not S.OPEN:
        raise StateError(
            _("Session '{id}' is {value}: hand-offs are recorded while the hour is open.").format(
                id=session.id, value=session.state.value
            ),
            _(
                "Ask the citizen to write to the office mailbox instead ([handoff] "
                "default_mailbox)."
            ),
        )
    if consent is Consent.NONE:
        raise InputError(
            _(
                "No consent: a question goes to a department only if the citizen wants an e-mail "
                "answer."
            ),
            _(
                "Ask the citizen in the chat; once they agreed, run the command again with "
                "--consent."
            ),
        )
    dept = resolve_department(config, department)
    address = check_email(email)
    if consent is Consent.DETECTED and address != detect_email(
        store, session, number, config=config
    ):
        raise InputError(
            _("Thread {number} did not write that address.").format(number=number),
            _("Confirm the address the citizen wrote, or pass --consent for one they dictated."),
        )
    question = question_of(store, session.id, number)
    if not question and not note.strip():
        raise InputError(
            _("Thread {number} holds no text from the citizen to pass on.").format(number=number),
            _("Write the question for the department with --note."),
        )
    return dept, address, question


def confirmation(store: Store, h: Handoff) -> tuple[str, str | None]:
    """The state of the citizen's confirmation (sent, pending, failed) and the last error."""
    queued = handoffs.outbox_state(store, keys.handoff(h.session_id, h.thread, h.department))
    return (queued[1], queued[2]) if queued else (outbox.FAILED, _("never queued"))
