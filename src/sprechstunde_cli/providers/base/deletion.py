"""What a delete at the messenger achieved: only the purge asks a provider to delete."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeleteOutcome:
    requested: int
    confirmed: int
    failures: tuple[str, ...] = ()  # reasons, free of ids and content
