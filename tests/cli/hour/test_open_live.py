"""`open`'s live view shows a step's problems and a store problem redacted, as `--plain` does:
a problem may quote a server, and a server may quote our credentials."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.hour.open import _run_live
from sprechstunde_cli.domain.model import SessionRecord, SessionState
from sprechstunde_cli.errors import ReadOnlyError
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.services.delivery import DeliveryReport
from sprechstunde_cli.services.hour import StepReport
from sprechstunde_cli.services.intake import IntakeReport
from sprechstunde_cli.system.credentials import Secret
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.cli import Plugs
from tests.support.clocks import FakeClock
from tests.support.leaks import found_in

KEY = "CanaryWahaKey5f3a9e0b7c"  # held, as `login waha` keeps it
COOKIE = "sess-5f3a9e0b7c1d"  # never held: only the name before it gives it away


class OneStep:
    """An hour that takes one step with `report`, then is stopped with Ctrl-C."""

    def __init__(self, session: SessionRecord, report: StepReport) -> None:
        self.session = session
        self.report = report
        self.steps = 0

    def step(self, now: datetime, wait: float) -> StepReport:
        self.steps += 1
        if self.steps > 1:
            raise KeyboardInterrupt
        return self.report


def session_at(now: datetime) -> SessionRecord:
    return SessionRecord(
        id="mittwoch",
        title="WhatsApp-Sprechstunde der Oberbürgermeisterin",
        official="Oberbürgermeisterin Erika Mustermann",
        provider="waha",
        timezone="Europe/Berlin",
        planned_start=now - timedelta(minutes=5),
        planned_end=now + timedelta(minutes=55),
        state=SessionState.OPEN,
        opened_at=now - timedelta(minutes=5),
        effective_end=None,
        closed_at=None,
        purged_at=None,
        last_call_at=None,
    )


def test_a_secret_in_a_step_problem_never_shows_in_the_live_frame(
    config_file: Path, clock: FakeClock, plugs: Plugs
) -> None:
    Secret(KEY)
    application = Application(resolve_paths(), plugs.wiring())
    screen = io.StringIO()
    application.__dict__["console"] = make_console(file=screen, width=200)
    report = StepReport(
        IntakeReport(),
        DeliveryReport(),
        problems=[f"WAHA said: Cookie: session={COOKIE}", f"WAHA quoted {KEY} back."],
        store_problem=ReadOnlyError(f"The store echoed password={COOKIE} back.", f"Not {KEY}."),
        store_changed=True,
    )
    with pytest.raises(KeyboardInterrupt):
        _run_live(application, OneStep(session_at(clock.now()), report))

    frame = screen.getvalue()  # the last frame, as a console that is no terminal gets it
    assert found_in(frame.encode(), [KEY, COOKIE]) == []
    lines = [line.strip() for line in frame.splitlines()]
    assert "Warning: The store echoed password=[redacted] back." in lines
    assert "Not [redacted]. `open` keeps trying by itself." in lines
    assert (
        "16:05 Warning: WAHA quoted [redacted] back.  ·  Ctrl-C leaves the session open. "
        "Other terminal: sprechstunde reply N"
    ) in lines
