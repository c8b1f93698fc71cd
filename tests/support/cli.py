"""Running the CLI like a shell would, with the wiring a test plugs in."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
from typer.testing import Result

from sprechstunde_cli.cli.application import Wiring
from tests.support.clocks import REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock, StepTimer
from tests.support.notify import FakeDesktop

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import StoreOpener


class Plugs:
    """What `sp` wires into the application: fixtures set a fake clock or an HTTP transport, a
    timer for lock waits, or how the store is opened (on a full or read-only disk)."""

    def __init__(self) -> None:
        self.clock: FakeClock | None = None
        self.transport: httpx.BaseTransport | None = None
        self.timer: StepTimer | None = None
        self.open_store: StoreOpener | None = None
        # Never the real desktop: a test looks at what would have been shown.
        self.desktop = FakeDesktop()

    def wiring(self) -> Wiring:
        base = Wiring()
        return Wiring(
            clock=self.clock or base.clock,
            timer=self.timer or base.timer,
            transport=self.transport,
            open_store=self.open_store,
            desktop=self.desktop,
        )


Sp = Callable[..., Result]


EXAMPLE_CONFIG = """
[office]
name = "Stadt Musterstadt"
timezone = "Europe/Berlin"

[hour]
last_call_minutes = 10
poll_seconds = 0.01

[sessions.mittwoch]
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
official = "Oberbürgermeisterin Erika Mustermann"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
provider = "local"

[sessions.naechste]
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
official = "Oberbürgermeisterin Erika Mustermann"
start = 2026-12-16T16:00:00
end = 2026-12-16T17:00:00

[templates]
danke = "Vielen Dank, {official} meldet sich bis {end} Uhr."
"""


def real_time_servers(config: str) -> str:
    """`config` for a messenger that stamps in real time (see REAL_TIME_SERVERS_EARLY_MINUTES)."""
    return config.replace(
        "[hour]\n", f"[hour]\nearly_minutes = {REAL_TIME_SERVERS_EARLY_MINUTES}\n", 1
    )


def inbox_texts(sp: Sp, handle: str) -> list[str]:
    """What the citizen's phone shows from the office."""
    lines = sp("sandbox", "inbox", "--as", handle, "--json").stdout.splitlines()
    return [e["text"] for e in map(json.loads, lines) if e["from_office"]]
