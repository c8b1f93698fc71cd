"""What a delete at the messenger achieved: only the purge asks a provider to delete."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeleteOutcome:
    """How many messages a delete asked the messenger to remove, and how many it confirmed."""

    requested: int
    confirmed: int
    failures: tuple[str, ...] = ()  # reasons, free of ids and content
