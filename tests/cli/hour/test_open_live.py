"""`open`'s live view shows a step's problems and a store problem redacted, as `--plain` does:
a problem may quote a server, and a server may quote our credentials."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.hour.open import _run_live
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.errors import ReadOnlyError
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.services.delivery import DeliveryReport
from sprechstunde_cli.services.hour import StepReport, open_session
from sprechstunde_cli.services.intake import IntakeReport
from sprechstunde_cli.services.sessions import session_to_open
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
        problems=[f"WAHA quoted {KEY} back."],
        store_problem=ReadOnlyError(f"The store echoed password={COOKIE} back.", f"Not {KEY}."),
        store_changed=True,
    )
    store, now = application.store, clock.now()
    spec = session_to_open(store, application.config, "mittwoch", now, rehearse=False)
    opened = open_session(store, spec, now, actor="test")
    with pytest.raises(KeyboardInterrupt):
        _run_live(application, OneStep(opened.session, report))

    frame = screen.getvalue()  # the last frame, as a console that is no terminal gets it
    assert found_in(frame.encode(), [KEY, COOKIE]) == []
    lines = [line.strip() for line in frame.splitlines()]
    assert "Warning: The store echoed password=[redacted] back." in lines
    assert "Not [redacted]. `open` keeps trying by itself: there is no need to restart it." in lines
    assert (
        "16:05 Warning: WAHA quoted [redacted] back.  ·  Ctrl-C leaves the session open. "
        "Other terminal: sprechstunde reply N"
    ) in lines
