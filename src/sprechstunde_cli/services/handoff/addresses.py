"""The citizen's e-mail address: found in what they wrote, checked, masked for display."""

from __future__ import annotations

import re

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Direction, SessionRecord
from sprechstunde_cli.errors import InputError, NotFoundError
from sprechstunde_cli.store import Store

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
