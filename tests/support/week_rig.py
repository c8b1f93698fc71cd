"""A week around the hour on the real local messenger: `standby` and `open` as two processes
would run them (each its own holder), on one fake clock the messenger stamps with too."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.leases import Holder
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.standby import Standby, StandbyReport
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.process import identity
from tests.support.clocks import FakeClock

# Every Wednesday 16:00–17:00 in Berlin; 25 October 2026 the clocks go back (CEST → CET).
WEEKLY = """
[office]
name = "Stadt Musterstadt"
timezone = "Europe/Berlin"

[hour]
poll_seconds = 0.01

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
rrule = "FREQ=WEEKLY;BYDAY=WE"
first = 2026-10-14
start_time = "16:00"
end_time = "17:00"
provider = "local"
"""


@dataclass
class Week:
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    data: Path
    standby: Standby
    running: hour.Hour | None = None

    def write(self, chat: str, text: str) -> str:
        return self.messenger.citizen_send(chat, text)

    def phone(self, chat: str) -> list[str]:
        """What the citizen's phone shows from the office."""
        return [e.text for e in self.messenger.phone(chat) if e.incoming]

    def stand_by(self) -> StandbyReport:
        return self.standby.step(self.clock.now(), 0.0)

    def open(self, session_id: str) -> hour.StepReport:
        """`open` (another process): opens or resumes, and takes one step."""
        if self.running is None:
            holder = Holder("open-run", os.getpid(), identity()[1], "open")
            spec = self.config.session(session_id)
            hour.open_session(self.store, spec, self.clock.now(), actor="t", holder=holder)
            media = self.data / "sessions" / session_id / "media"
            self.running = hour.Hour(
                self.store, self.provider, self.config, session_id, media, holder=holder
            )
        return self.running.step(self.clock.now(), wait=0.0)

    def close(self) -> None:
        assert self.running is not None
        session_id = self.running.session_id
        closing.close(self.store, self.provider, self.config, session_id, self.clock, actor="t")
        self.running.release(self.clock.now())
        self.running = None


@contextmanager
def week(tmp_path: Path, start: datetime, config: str = WEEKLY) -> Iterator[Week]:
    data = tmp_path / "data"
    clock = FakeClock(start)
    store = Store.open(data / "sprechstunde.db")
    messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
    provider = LocalProvider(messenger)
    parsed = parse_config(tomllib.loads(config))
    # Another process than `open`'s: its parent's id, which lives as long as the test.
    holder = Holder("standby-run", os.getppid(), identity()[1], "standby")
    watch = Standby(store, provider, parsed, "local", holder, pause=clock.sleep)
    try:
        yield Week(store, messenger, provider, parsed, clock, data, watch)
    finally:
        messenger.close()
        store.close()
