"""The one backoff: full jitter, so processes and threads that retry together spread out.

A wait is uniform in [0, min(cap, base·2^attempt)]; where a server asked for a longer wait
(Retry-After), callers take the larger of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Random = Callable[[], float]  # uniform in [0, 1); tests pass their own


def uniform() -> float:
    """`random.random()`: the draws every retry takes unless a test passes its own. `random`
    is imported at the first draw, not by every command that might retry (~1 ms of a start)."""
    import random

    return random.random()  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True)
class Backoff:
    """How long to wait before a retry: at random, below a limit that doubles up to a cap."""

    base: float  # seconds before the first retry, at most
    cap: float  # never more than this

    def delay(self, attempt: int, rng: Random = uniform) -> float:
        return rng() * min(self.cap, self.base * 2.0**attempt)
