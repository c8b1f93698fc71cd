"""One screen of the live view: the threads that fit, and how many there are in all.

Apart from domain/model.py: only the live view reads pages, and each frozen dataclass costs the
start of every command that imports its module (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sprechstunde_cli.domain.rows import ThreadRow


@dataclass(frozen=True)
class ThreadPage:
    """The threads that fit a screen, longest-waiting first, and how many there are in all."""

    rows: tuple[ThreadRow, ...]
    total: int
    waiting: int
