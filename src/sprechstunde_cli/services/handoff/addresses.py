"""The citizen's e-mail address: found in what they wrote, checked, masked for display."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.domain.handoffs import EMAIL, department_problem, email_address
from sprechstunde_cli.domain.model import Direction, SessionRecord
from sprechstunde_cli.errors import InputError, NotFoundError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store

if TYPE_CHECKING:
    # A type only: `followup --list` builds no Config (config/checked.py).
    from sprechstunde_cli.config import Config

# Addresses nobody reads: a citizen quoting one is not giving their own.
_JUNK_LOCAL = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster"}
)


def mask_email(address: str) -> str:
    """'f•••@example.org': enough for the citizen to recognise, too little to reuse."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def check_email(text: str) -> str:
    """The address an operator typed, validated; InputError names the fix."""
    try:
        return email_address(text)
    except ValueError as err:
        raise InputError(
            _("That is not an e-mail address the office can send to ({err}).").format(err=err),
            _(
                "Give it as name@example.org (read it back to the citizen in the chat); "
                "for an address with umlauts before the @, ask the citizen for another one."
            ),
        ) from None


def detect_email(
    store: Store, session: SessionRecord, number: int, *, config: Config | None = None
) -> str | None:
    """The citizen's own address from what they wrote in the thread; the last one wins."""
    store.thread(session.id, number)  # NotFoundError for a thread that does not exist
    office = _office_addresses(config)
    found: str | None = None
    for msg in store.messages(session.id, thread=number):
        # Captions count too: they are the citizen's own words.
        if msg.direction is not Direction.IN:
            continue
        for match in EMAIL.finditer(msg.body):
            if match.group(1).lower() in _JUNK_LOCAL:
                continue
            try:
                address = email_address(match.group(0))
            except ValueError:
                continue  # one the office could not send to: not offered
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
    if not wanted:
        raise InputError(
            _("The department name is empty."),
            _("Type the department's name, e.g. --dept Wohngeldamt."),
        )
    for known in config.handoff.departments:
        if known.casefold() == wanted.casefold():
            return known
    if config.handoff.default_mailbox:
        problem = department_problem(wanted)
        if problem is not None:
            raise InputError(
                _("The department name {problem}.").format(problem=problem),
                _("Type the department's name on one line, e.g. --dept Wohngeldamt."),
            )
        return wanted
    known_names = ", ".join(sorted(config.handoff.departments)) or "none"
    raise NotFoundError(
        _("No department '{wanted}' in the config (known: {known_names}).").format(
            wanted=wanted, known_names=known_names
        ),
        _(
            "Pick a known one with --dept, or add it under [handoff] departments "
            "(or set [handoff] default_mailbox for the rest)."
        ),
    )
