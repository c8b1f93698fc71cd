"""One line of the live view and of `threads`.

Apart from domain/model.py: only the commands that list threads read rows, and each frozen
dataclass costs the start of every command that imports its module (docs/ARCHITECTURE.md,
*Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.domain.model import Direction, MessageKind


@dataclass(frozen=True)
class ThreadRow:
    """One line of the live view and of `threads`."""

    number: int
    citizen: str  # already masked; still citizen-controlled, so render sanitizes it
    first_at: datetime
    waiting_since: datetime | None
    unread: int
    claimed_by: str | None
    last_kind: MessageKind | None
    last_direction: Direction | None
    last_line: str
    answered: bool
    last_withdrawn: bool = False  # the last message was withdrawn by the citizen
    left: bool = False  # the citizen left the chat or blocked the office: answers cannot reach
