"""Run the real CLI in a child process that SIGKILLs itself at an instrumented point (tests only).

    python tests/support/crash_entry.py TARGET WHEN N -- ARGS...

TARGET is `module:attribute[.attribute]` (e.g. `sprechstunde_cli.store.outbox:complete`, or
`sprechstunde_cli.providers.local.provider:LocalProvider.send_text`), WHEN is `before` or
`after`: the process kills itself with SIGKILL just before or just after the N-th call, i.e. the way
`kill -9` would at that instant — no exception, no cleanup, no atexit. TARGET `none` runs the
CLI unchanged. SPRECHSTUNDE_TEST_CLOCK_START (ISO time) starts the CLI's clock there, so a child
agrees with the test's FakeClock about the hour; it runs on from there at real speed. A test moves
it forward past the leases a killed process held. The production code knows none of this: the
patching happens here, from the outside.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def instrument(target: str, when: str, nth: int) -> None:
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original: Callable[..., Any] = getattr(owner, name)
    calls = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when == "before":
            die()
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            die()
        return result

    setattr(owner, name, wrapper)


def running_clock(start: datetime) -> Any:
    """A clock that starts at `start` and runs at real speed."""
    from sprechstunde_cli.system.clock import SystemClock

    began = time.monotonic()

    class Running(SystemClock):
        def now(self) -> datetime:
            return start + timedelta(seconds=time.monotonic() - began)

    return Running()


def main() -> None:
    target, when, nth, dashes, *args = sys.argv[1:]
    assert dashes == "--" and when in ("before", "after"), sys.argv
    if target != "none":
        instrument(target, when, int(nth))
    from sprechstunde_cli.cli import main as cli_main
    from sprechstunde_cli.cli.application import Wiring

    start = os.environ.get("SPRECHSTUNDE_TEST_CLOCK_START")
    wiring = Wiring(clock=running_clock(datetime.fromisoformat(start))) if start else None
    sys.argv = ["sprechstunde", *args]
    cli_main(wiring)


if __name__ == "__main__":
    main()
