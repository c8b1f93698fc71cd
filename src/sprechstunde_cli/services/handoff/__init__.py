"""Hand-offs: a question goes to a department for an e-mail answer, only with consent.

`recording.py` records one while the hour is open and confirms it to the citizen;
`deliver.py` mails them all (or exports them to one file) at close; `addresses.py` finds,
checks and masks the citizen's address; `text.py` is what the department receives.

The package itself holds what listing needs. The sending half (`recording.py`: the provider
and the outbox; `deliver.py`: mail, the export, hashing) is loaded when one of its names is
first used (`__getattr__` below), so `followup --list` imports neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.domain.handoffs import OUTSTANDING, Consent, Handoff
from sprechstunde_cli.lazy import exports
from sprechstunde_cli.services.handoff.addresses import (
    check_email,
    detect_email,
    mask_email,
    resolve_department,
)
from sprechstunde_cli.store import Store, handoffs

if TYPE_CHECKING:
    from sprechstunde_cli.services.changes import question_of
    from sprechstunde_cli.services.handoff.deliver import (
        HandoffReport,
        Sender,
        deliver_all,
        pending,
    )
    from sprechstunde_cli.services.handoff.recording import confirmation, record

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

# The sending half's names, by the module that holds them: imported on first use.
__getattr__ = exports(
    __name__,
    {
        "question_of": "sprechstunde_cli.services.changes",
        "HandoffReport": "sprechstunde_cli.services.handoff.deliver",
        "Sender": "sprechstunde_cli.services.handoff.deliver",
        "deliver_all": "sprechstunde_cli.services.handoff.deliver",
        "pending": "sprechstunde_cli.services.handoff.deliver",
        "confirmation": "sprechstunde_cli.services.handoff.recording",
        "record": "sprechstunde_cli.services.handoff.recording",
    },
)


def all_of(store: Store, session_id: str) -> list[Handoff]:
    return handoffs.of_session(store, session_id)


def counts(store: Store, session_id: str) -> dict[str, int]:
    """{'delivered', 'exported', 'pending', 'failed'} → number; every key present."""
    return handoffs.counts(store, session_id)


def outstanding(store: Store, session_id: str) -> int:
    """How many hand-offs the purge must still wait for (pending + failed)."""
    found = counts(store, session_id)
    return sum(found[state] for state in OUTSTANDING)
