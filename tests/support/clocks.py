"""Clocks tests move by hand: session time (`FakeClock`) and elapsed time (`StepTimer`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock tests move by hand; sleep() advances it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


# Wednesday 2 December 2026, 16:05 in Berlin (UTC+1): five minutes into the example hour.
IN_THE_HOUR = datetime(2026, 12, 2, 15, 5, tzinfo=UTC)

# The fake WAHA and a real Synapse stamp messages in real time, while the tests that run an hour
# on them keep the session's day (IN_THE_HOUR): an early window this wide (`hour.early_minutes`)
# takes whatever they stamp into the hour. The rule itself (domain/arrival.py) is tested where
# the messenger shares the test's clock (the local messenger, tests/services/).
REAL_TIME_SERVERS_EARLY_MINUTES = 10 * 365 * 24 * 60


class StepTimer:
    """A `Timer` the test moves by hand; sleep() advances it instead of waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
