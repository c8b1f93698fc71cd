"""Hand-offs: a question goes to a department for an e-mail answer, only with consent.

Recording needs the session OPEN: the citizen is told in the chat (department, masked address),
and that confirmation must reach them before the closing words. Once `close` has started, the
hour is over for hand-offs too; the closing words can offer the office mailbox instead.

Delivery ends every hand-off in one of three states, never silently: delivered (one e-mail to
the department's mailbox), exported (written to one 0600 text file the operator takes, when
there is no [mail] or on request), or failed with the reason (retried by the next run).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.handoffs import OUTSTANDING, Consent, Handoff
from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose, SessionRecord
from sprechstunde_cli.domain.model import SessionState as S
from sprechstunde_cli.domain.retry import Backoff, Random
from sprechstunde_cli.domain.texts import render
from sprechstunde_cli.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    ProviderError,
    StateError,
)
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.services.handoff import text as handoff_text
from sprechstunde_cli.services.texts import values
from sprechstunde_cli.store import Store, handoffs, outbox

__all__ = [
    "Consent",
    "Handoff",
    "HandoffReport",
    "Sender",
    "check_email",
    "confirmation",
    "counts",
    "deliver_all",
    "detect_email",
    "mask_email",
    "outstanding",
    "pending",
    "record",
    "resolve_department",
]

# Local part and domain as people write them (Unicode letters allowed: umlaut domains exist);
# the TLD is letters only, so "am 3.12.2026@16.00" and file names like "a@b.c1" do not match.
_EMAIL = re.compile(
    r"(?<![\w.+-])"
    r"([\w+-]+(?:\.[\w+-]+)*)@((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63})"
    r"(?![\w-]|\.[\w-])"
)
# Addresses nobody reads: a citizen quoting one is not giving their own.
_JUNK_LOCAL = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster"}
)
BACKOFF = Backoff(base=1.0, cap=60.0)


class Sender(Protocol):
    """What deliver_all needs of `mail.Mailer`: one message per call, ProviderError on failure."""

    def send(
        self,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        message_id: str | None = None,
        reply_to: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class HandoffReport:
    delivered: int = 0
    exported: int = 0
    failed: int = 0
    export_file: Path | None = None
    errors: tuple[str, ...] = ()  # "Thread 3 → Wohngeldamt: reason"; no addresses or content


# --- addresses ---------------------------------------------------------------------------------


def mask_email(address: str) -> str:
    """'f•••@example.org': enough for the citizen to recognise, too little to reuse."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def check_email(text: str) -> str:
    """The address an operator typed, validated; InputError names the fix."""
    address = text.strip()
    match = _EMAIL.fullmatch(address)
    if match is None or len(address) > 254 or len(match.group(1)) > 64:
        raise InputError(
            "That is not an e-mail address.",
            "Give it as name@example.org (read it back to the citizen in the chat).",
        )
    return address


def detect_email(
    store: Store, session: SessionRecord, number: int, *, config: Config | None = None
) -> str | None:
    """The citizen's own address from what they wrote in the thread; the last one wins."""
    office = _office_addresses(config)
    found: str | None = None
    for msg in store.messages(session.id, thread=number):
        # Captions count too: they are the citizen's own words.
        if msg.direction is not Direction.IN:
            continue
        for match in _EMAIL.finditer(msg.body):
            address = match.group(0)
            local = match.group(1).lower()
            if len(address) > 254 or len(local) > 64 or local in _JUNK_LOCAL:
                continue
            if address.lower() in office:
                continue
            found = address
    return found


def _office_addresses(config: Config | None) -> frozenset[str]:
    if config is None:
        return frozenset()
    own = [*config.handoff.departments.values(), config.handoff.default_mailbox]
    if config.mail:
        own.append(config.mail.sender)
    return frozenset(a.lower() for a in own if a)


def resolve_department(config: Config, name: str) -> str:
    """The configured spelling of a department; one without a mailbox needs default_mailbox."""
    wanted = name.strip()
    for known in config.handoff.departments:
        if known.casefold() == wanted.casefold():
            return known
    if wanted and config.handoff.default_mailbox:
        return wanted
    known_names = ", ".join(sorted(config.handoff.departments)) or "none"
    raise NotFoundError(
        f"No department '{wanted}' in the config (known: {known_names}).",
        "Pick a known one with --dept, or add it under [handoff] departments "
        "(or set [handoff] default_mailbox for the rest).",
    )


# --- recording ---------------------------------------------------------------------------------


def question_of(store: Store, session_id: str, number: int) -> str:
    """The citizen's own text messages of the thread: no media, no office messages."""
    texts = [
        m.body.strip()
        for m in store.messages(session_id, thread=number)
        if m.direction is Direction.IN and m.kind is MessageKind.TEXT and m.body.strip()
    ]
    return "\n\n".join(texts)


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
    if session.state is not S.OPEN:
        raise StateError(
            f"Session '{session.id}' is {session.state.value}: hand-offs are recorded while "
            "the hour is open.",
            "Ask the citizen to write to the office mailbox instead ([handoff] default_mailbox).",
        )
    if consent is Consent.NONE:
        raise InputError(
            "No consent: a question goes to a department only if the citizen wants an e-mail "
            "answer.",
            "Ask the citizen in the chat; once they agreed, run the command again with --consent.",
        )
    dept = resolve_department(config, department)
    address = check_email(email)
    if consent is Consent.DETECTED and address != detect_email(
        store, session, number, config=config
    ):
        raise InputError(
            f"Thread {number} did not write that address.",
            "Confirm the address the citizen wrote, or pass --consent for one they dictated.",
        )
    info = store.thread(session.id, number)
    question = question_of(store, session.id, number)
    if not question and not note.strip():
        raise InputError(
            f"Thread {number} holds no text from the citizen to pass on.",
            "Write the question for the department with --note.",
        )
    key = keys.handoff(session.id, number, dept)
    confirmation_text = render(
        config.texts.handoff_confirmation,
        {**values(session, config), "department": dept, "email": mask_email(address)},
    )
    with store.write() as conn:
        existing = handoffs.get(store, session.id, number, dept, conn=conn)
        if existing is not None and existing.email != address:
            raise ConflictError(
                f"Thread {number} is already handed to {dept} (to {mask_email(existing.email)}).",
                "A hand-off keeps the address it was recorded with; it goes out at close.",
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
            conn,
            session.id,
            thread=number,
            chat=info.chat,
            purpose=Purpose.HANDOFF,
            body=confirmation_text,
            key=key,
            now=now,
            operator=operator,
        )
        # The confirmation answers the thread: it must not get "we could not answer" at close.
        store.answered(conn, session.id, number, now)
    queued = handoffs.outbox_state(store, key)
    if queued is not None and queued[1] == outbox.PENDING:
        deliver_due(store, provider, session.id, now, only_id=queued[0])
    found = handoffs.get(store, session.id, number, dept)
    assert found is not None  # inserted above, or there before
    return found


def confirmation(store: Store, h: Handoff) -> tuple[str, str | None]:
    """The state of the citizen's confirmation (sent, pending, failed) and the last error."""
    queued = handoffs.outbox_state(store, keys.handoff(h.session_id, h.thread, h.department))
    return (queued[1], queued[2]) if queued else (outbox.FAILED, "never queued")


# --- queries -----------------------------------------------------------------------------------


def pending(store: Store, session_id: str) -> list[Handoff]:
    """Hand-offs not yet delivered or exported (pending or failed), by thread."""
    return handoffs.of_session(store, session_id, *OUTSTANDING)


def all_of(store: Store, session_id: str) -> list[Handoff]:
    return handoffs.of_session(store, session_id)


def counts(store: Store, session_id: str) -> dict[str, int]:
    """{'delivered', 'exported', 'pending', 'failed'} → number; every key present."""
    return handoffs.counts(store, session_id)


def outstanding(store: Store, session_id: str) -> int:
    """How many hand-offs the purge must still wait for (pending + failed)."""
    found = counts(store, session_id)
    return sum(found[state] for state in OUTSTANDING)


# --- delivery ----------------------------------------------------------------------------------


def deliver_all(
    store: Store,
    config: Config,
    mailer: Sender | None,
    session_id: str,
    now: datetime,
    *,
    export_dir: Path,
    export: bool = False,
    attempts: int = 3,
    sleep: Callable[[float], None],
    rng: Random = random.random,
) -> HandoffReport:
    """Mail every outstanding hand-off, or export them all to one file; safe to run again."""
    session = store.require_session(session_id)
    todo = pending(store, session_id)
    if not todo:
        return HandoffReport()
    if mailer is None or export:
        text = handoff_text.export_text(session, config, todo, now)
        path = handoff_text.write_export(
            export_dir, handoff_text.export_name(session, now), text.encode()
        )
        # Marked only once the file is on disk: a crash in between exports them twice, not never.
        handoffs.exported(store, [h.id for h in todo], now)
        return HandoffReport(exported=len(todo), export_file=path)
    delivered = failed = 0
    errors: list[str] = []
    for h in todo:
        reason = _mail_one(store, config, mailer, session, h, now, attempts, sleep, rng)
        if reason is None:
            delivered += 1
        else:
            failed += 1
            errors.append(f"Thread {h.thread} → {h.department}: {reason}")
    return HandoffReport(delivered=delivered, failed=failed, errors=tuple(errors))


def _mail_one(
    store: Store,
    config: Config,
    mailer: Sender,
    session: SessionRecord,
    h: Handoff,
    now: datetime,
    attempts: int,
    sleep: Callable[[float], None],
    rng: Random,
) -> str | None:
    """Send one hand-off with bounded retries; return the reason it failed, or None."""
    mailbox = config.handoff.mailbox(h.department)
    if mailbox is None:
        reason = "no mailbox for this department ([handoff] departments or default_mailbox)"
        handoffs.failed(store, h.id, reason)
        return reason
    subject = handoff_text.subject(session, h)
    body = handoff_text.body(session, h)
    message_id = handoff_text.message_id(session, h, config)
    for attempt in range(1, max(1, attempts) + 1):
        handoffs.tried(store, h.id)
        try:
            mailer.send([mailbox], subject, body, message_id=message_id, reply_to=h.email)
        except ProviderError as err:
            if err.retryable and attempt < attempts:
                sleep(max(err.retry_after, BACKOFF.delay(attempt, rng)))
                continue
            handoffs.failed(store, h.id, err.message)
            return err.message
        handoffs.delivered(store, h.id, now)
        return None
    raise AssertionError("unreachable: the loop returns on its last attempt")
