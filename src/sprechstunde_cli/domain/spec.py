"""A planned consultation hour as the config defines it.

Apart from domain/model.py: only planning, opening and announcing need it, and each frozen
dataclass costs the start of every command that imports its module (docs/ARCHITECTURE.md,
*Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SessionSpec:
    """A planned consultation hour as the config defines it."""

    id: str
    title: str
    official: str
    start: datetime  # aware, in the session's time zone
    end: datetime
    timezone: str
    provider: str

    @property
    def duration(self) -> timedelta:
        return self.end - self.start
