"""A session on the real local messenger for service tests: store, messenger, config, clock."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.reply import ReplyResult, reply
from sprechstunde_cli.store import Store
from tests.support.cli import EXAMPLE_CONFIG
from tests.support.clocks import IN_THE_HOUR, FakeClock


def make_config(**hour_overrides: object) -> Config:
    raw = tomllib.loads(EXAMPLE_CONFIG)
    raw["hour"].update(hour_overrides)
    return parse_config(raw)


@dataclass
class Rig:
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    media_dir: Path
    session_dir: Path
    hour: hour.Hour | None = None
    session_id: str = "mittwoch"  # a rehearsal's copy once `open(rehearse=True)` made one

    def open(self, rehearse: bool = False) -> hour.Opened:
        opened = hour.open_session(
            self.store,
            self.config.session("mittwoch"),
            self.clock.now(),
            actor="test",
            rehearse=rehearse,
        )
        self.session_id = opened.session.id
        self.hour = hour.Hour(
            self.store, self.provider, self.config, self.session_id, self.media_dir
        )
        return opened

    def step(self) -> hour.StepReport:
        assert self.hour is not None
        return self.hour.step(self.clock.now(), wait=0.0)

    def phone(self, handle: str) -> list[str]:
        """Texts the citizen's phone shows from the office."""
        return [e.text for e in self.messenger.phone(handle) if e.incoming]

    def reply(
        self,
        number: int,
        text: str,
        *,
        provider: Provider | None = None,
        operator: str = "a",
        **options: Any,
    ) -> ReplyResult:
        """An operator's reply to thread `number`, now, as `sprechstunde reply` sends it."""
        return reply(
            self.store,
            provider or self.provider,
            self.session,
            number,
            text,
            operator=operator,
            now=self.clock.now(),
            media_dir=self.media_dir,
            max_media_bytes=10**6,
            **options,
        )

    @property
    def session(self) -> SessionRecord:
        return self.store.require_session(self.session_id)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    store = Store.open(tmp_path / "data" / "store.db")
    built = rig_on(store, tmp_path / "data")
    yield built
    built.messenger.close()
    store.close()


def rig_on(store: Store, data: Path) -> Rig:
    """A rig around `store`, with the local messenger in `data`; the caller closes both."""
    clock = FakeClock(IN_THE_HOUR)
    # The messenger stamps what citizens send with the test's clock, as a server with its own.
    messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
    session_dir = data / "sessions" / "mittwoch"
    return Rig(
        store,
        messenger,
        LocalProvider(messenger),
        make_config(),
        clock,
        session_dir / "media",
        session_dir,
    )
