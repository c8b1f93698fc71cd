"""A hand-off: a question passed to a department for an e-mail answer, with the citizen's consent.

States: pending → delivered | exported, or failed (with the reason; retried by the next run).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sprechstunde_cli.domain.characters import HIDING
from sprechstunde_cli.i18n import _

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
    """A question passed to a department for an answer by e-mail, as the store keeps it."""

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


# Local part and domain as people write them (Unicode letters allowed: umlaut domains exist);
# the TLD is letters only, so "am 3.12.2026@16.00" and file names like "a@b.c1" do not match.
EMAIL = re.compile(
    r"(?<![\w.+-])"
    r"([\w+-]+(?:\.[\w+-]+)*)@((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63})"
    r"(?![\w-]|\.[\w-])"
)
MAX_DEPARTMENT_CHARS = 80


def email_address(text: str) -> str:
    """The address in `text` as every mail server takes it, or ValueError with the reason.

    A domain with umlauts is written the ASCII way (IDNA, "müller.example" → "xn--mller-kva…");
    letters beyond ASCII before the @ need SMTPUTF8, which many servers lack, so such an address
    is refused here rather than bounced later.
    """
    address = text.strip()
    match = EMAIL.fullmatch(address)
    if match is None or len(address) > 254 or len(match.group(1)) > 64:
        raise ValueError(_("not an e-mail address"))
    local, domain = match.group(1), match.group(2)
    if not local.isascii():
        raise ValueError(_("letters beyond A–Z before the @"))
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(_("a domain that cannot be written in ASCII")) from None
    return f"{local}@{ascii_domain}"


def department_problem(name: str) -> str | None:
    """Why `name` cannot name a department (it goes into an e-mail's subject), or None."""
    if not name.strip():
        return _("is empty")
    if len(name) > MAX_DEPARTMENT_CHARS:
        return _("is longer than {count} characters").format(count=MAX_DEPARTMENT_CHARS)
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in name) or HIDING.search(name):
        return _("holds a line break, a control character or an invisible one")
    return None
