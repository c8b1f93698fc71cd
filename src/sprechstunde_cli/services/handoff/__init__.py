"""Hand-offs: a question goes to a department for an e-mail answer, only with consent.

`record.py` records one while the hour is open and confirms it to the citizen; `deliver.py`
mails them all (or exports them to one file) at close; `addresses.py` finds, checks and masks
the citizen's address; `text.py` is what the department receives.
"""

from __future__ import annotations

from sprechstunde_cli.domain.handoffs import OUTSTANDING, Consent, Handoff
from sprechstunde_cli.services.changes import question_of
from sprechstunde_cli.services.handoff.addresses import (
    check_email,
    detect_email,
    mask_email,
    resolve_department,
)
from sprechstunde_cli.services.handoff.deliver import HandoffReport, Sender, deliver_all, pending
from sprechstunde_cli.services.handoff.record import confirmation, record
from sprechstunde_cli.store import Store, handoffs

__all__ = [
    "Consent",
    "Handoff",
    "HandoffReport",
    "Sender",
    "all_of",
    "check_email",
    "confirmation",
    "counts",
    "deliver_all",
    "detect_email",
    "mask_email",
    "outstanding",
    "pending",
    "question_of",
    "record",
    "resolve_department",
]


def all_of(store: Store, session_id: str) -> list[Handoff]:
    return handoffs.of_session(store, session_id)


def counts(store: Store, session_id: str) -> dict[str, int]:
    """{'delivered', 'exported', 'pending', 'failed'} → number; every key present."""
    return handoffs.counts(store, session_id)


def outstanding(store: Store, session_id: str) -> int:
    """How many hand-offs the purge must still wait for (pending + failed)."""
    found = counts(store, session_id)
    return sum(found[state] for state in OUTSTANDING)
