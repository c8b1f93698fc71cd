"""The one backoff: full jitter, so processes and threads that retry together spread out.

A wait is uniform in [0, min(cap, base·2^attempt)]; where a server asked for a longer wait
(Retry-After), callers take the larger of the two.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Random = Callable[[], float]  # uniform in [0, 1); tests pass their own


@dataclass(frozen=True)
class Backoff:
    """How long to wait before a retry: at random, below a limit that doubles up to a cap."""

    base: float  # seconds before the first retry, at most
    cap: float  # never more than this

    def delay(self, attempt: int, rng: Random = random.random) -> float:
        return rng() * min(self.cap, self.base * 2.0**attempt)
