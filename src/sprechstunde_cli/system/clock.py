"""The system clock: the one module below cli/ that reads the machine's time.

Everything else takes a `Clock` (session time) or a `Timer` (elapsed time for network and lock
waits) from its caller; the command line wires these in, and tests replace them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class SystemTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_TIMER = SystemTimer()
