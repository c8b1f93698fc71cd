"""How far `delivery.deliver_all` is, for the bar or the plain lines `close` and `open` show.

Apart from `delivery.py` because only delivering everything reports it: `reply` and a
hand-off's confirmation send one row and never create it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """How far `deliver_all` is: `done` of `total` rows sent or given up; `waiting` seconds
    until the next try when the messenger asked for a pause (or a retry is not due yet)."""

    done: int
    total: int
    waiting: float = 0.0
