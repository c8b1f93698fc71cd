"""Small pure rules: masking, waiting order, windows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sprechstunde_cli.domain.rows import ThreadRow


_PHONE = re.compile(r"^\+?[\d\s()./-]{6,}$")
_NOT_DIGIT = re.compile(r"\D")


def masked_number(address: str) -> str | None:
    """A phone number shown masked; None when `address` is no number (`mask_address` then
    shows the display name)."""
    if not _PHONE.match(address):
        return None
    digits = _NOT_DIGIT.sub("", address)
    if address.startswith("+") and len(digits) > 7:
        # Country code (2 digits is the common case for the audience) plus the network prefix.
        return f"+{digits[:2]} {digits[2:5]} •••• {digits[-2:]}"
    return f"{digits[:3]} •••• {digits[-2:]}"


def mask_address(address: str, display_name: str = "") -> str:
    """Show a citizen pseudonymously: a masked number, else the display name, else a masked id."""
    number = masked_number(address)
    if number is not None:
        return number
    # Its character tables are compiled on import: only a name needs them.
    from sprechstunde_cli.domain.characters import visible

    if visible(display_name):
        return display_name.strip()
    local = address.split("@", 1)[0]
    if len(local) <= 4:
        return local
    return f"{local[:2]}••••{local[-2:]}"


def by_waiting_time(rows: Iterable[ThreadRow]) -> list[ThreadRow]:
    """Longest-waiting first (ties by number); threads that wait for nobody follow by number."""
    rows = list(rows)
    waiting = sorted(
        (r for r in rows if r.waiting_since is not None),
        key=lambda r: (r.waiting_since, r.number),
    )
    idle = sorted((r for r in rows if r.waiting_since is None), key=lambda r: r.number)
    return waiting + idle


def in_window(now: datetime, start: datetime, end: datetime) -> bool:
    return start <= now < end


def last_call_due(now: datetime, end: datetime, minutes_before: float) -> bool:
    return minutes_before > 0 and end - timedelta(minutes=minutes_before) <= now < end
