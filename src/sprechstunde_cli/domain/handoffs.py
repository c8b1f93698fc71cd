"""A hand-off: a question passed to a department for an e-mail answer, with the citizen's consent.

States: pending → delivered | exported, or failed (with the reason; retried by the next run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

PENDING = "pending"
DELIVERED = "delivered"
EXPORTED = "exported"
FAILED = "failed"
STATES = (DELIVERED, EXPORTED, PENDING, FAILED)
OUTSTANDING = (PENDING, FAILED)


class Consent(StrEnum):
    """How the citizen's consent was established; NONE is refused by the service."""

    OPERATOR = "operator"  # the citizen agreed in the chat; the operator passed --consent
    DETECTED = "detected"  # the citizen wrote the address; the operator confirmed it
    NONE = "none"


@dataclass(frozen=True)
class Handoff:
    id: int
    session_id: str
    thread: int
    department: str
    email: str
    question: str
    note: str
    consent: Consent
    operator: str | None
    state: str
    attempts: int
    error: str | None
    created_at: datetime
    done_at: datetime | None
