"""Shared by the announcement tests: a schedule, the three targets, and a clock to walk."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.adapters.targets import TargetFactory
from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import STATUS_CHAT, LocalMessenger
from sprechstunde_cli.services import announce
from sprechstunde_cli.services.announce import AnnounceReport, Target
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import announcements as ledger
from sprechstunde_cli.system.credentials import Secret
from tests.support.clocks import FakeClock
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.fakes.smtp import Sink, smtp_server

# Every second Wednesday, 16–17 h in Berlin, Berlin's holidays skipped.
CONFIG = """
[office]
name = "Stadt Musterstadt"

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde"
rrule = "{rrule}"
first = {first}
start_time = "16:00"
end_time = "17:00"
holidays = "BE"

[mail]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "buergerbuero@example.org"
timeout = 5

[announce]
handle = "+49 000 0000000"
grace = "{grace}"

[announce.offsets]
week = "7d"
day = "1d"
start = "0"
end = "end"

[announce.messenger]

[announce.mastodon]
instance = "https://social.example.org"

[announce.email]
to = ["presseverteiler@example.org"]
offsets = ["week"]
"""
# 2026-12-16 is a Wednesday of the schedule: 16:00 CET is 15:00 UTC.
SESSION = "mittwoch-2026-12-16"
WEEK_DUE = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dies here: nothing after it runs (no except clause catches it)."""


@dataclass
class Rig:
    tmp: Path
    clock: FakeClock
    smtp: Sink
    mastodon: FakeMastodon = field(default_factory=FakeMastodon)
    rrule: str = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    first: str = "2026-12-02"
    grace: str = "2h"
    crash_after: set[str] = field(default_factory=set)  # targets whose post then "kills" us
    no_announce: bool = False  # the messenger cannot post public notices
    runs: int = 0

    def __post_init__(self) -> None:
        self.store = Store.open(self.tmp / "data" / "store.db")
        self.messenger_file = self.tmp / "data" / "local-messenger.db"

    @property
    def config(self) -> Config:
        text = CONFIG.format(
            rrule=self.rrule, first=self.first, port=self.smtp.port, grace=self.grace
        )
        return parse_config(tomllib.loads(text))

    def factory(self) -> TargetFactory:
        config = self.config
        return TargetFactory(
            config.announce,
            open_provider=self._provider,
            open_mailer=lambda: Mailer(config.mail, None) if config.mail else None,
            mastodon_token=lambda: Secret("test-token"),
            transport=httpx.MockTransport(self.mastodon),
        )

    def _provider(self, name: str) -> LocalProvider:
        provider = LocalProvider(LocalMessenger(self.messenger_file))
        if self.no_announce:
            provider.capabilities = replace(provider.capabilities, announce=False)  # type: ignore[misc]
        return provider

    def _targets(self, factory: TargetFactory) -> announce.TargetSource:
        def source(name: str, spec: SessionSpec) -> Target | None:
            target = factory(name, spec)
            if target is None or name not in self.crash_after:
                return target
            return _Crashing(target)

        return source

    def run(self, session: str | None = SESSION) -> AnnounceReport:
        """One `announce --due`; by default only the outcomes for one session are kept."""
        self.runs += 1
        factory = self.factory()
        try:
            report = announce.run_due(
                self.store,
                self.config,
                self.clock.now(),
                self._targets(factory),
                owner=f"run-{self.runs}",
                actor="cron",
                rng=lambda: 1.0,  # the top of the jitter range: retries wait the longest
            )
        finally:
            factory.close()
        if session is None:
            return report
        return AnnounceReport(tuple(o for o in report.outcomes if o.session_id == session))

    def send_now(self, session: str, offset: str, only: str | None = None) -> AnnounceReport:
        self.runs += 1
        factory = self.factory()
        try:
            return announce.send_now(
                self.store, self.config, session, offset, self.clock.now(), factory,
                owner=f"run-{self.runs}", actor="operator", only=only,
            )  # fmt: skip
        finally:
            factory.close()

    def status(self) -> list[str]:
        messenger = LocalMessenger(self.messenger_file)
        try:
            return [e.text for e in messenger.phone(STATUS_CHAT)]
        finally:
            messenger.close()

    def ledger(self) -> dict[tuple[str, str, str], str]:
        return {(e.session_id, e.offset, e.target): e.state for e in ledger.entries(self.store)}

    def walk(self, until: datetime, step: timedelta) -> list[tuple[datetime, str, str, str]]:
        """Run every `step` up to `until`; return (clock, session, offset, target) per post."""
        sent = []
        while self.clock.now() <= until:
            for o in self.run(session=None).outcomes:
                if o.status in ("sent", "resent"):
                    sent.append((self.clock.now(), o.session_id, o.offset, o.target))
            self.clock.advance(seconds=step.total_seconds())
        return sent


class _Crashing:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.name = target.name
        self.dedup_window = target.dedup_window

    def post(self, text: str, *, key: str, subject: str) -> str:
        self.target.post(text, key=key, subject=subject)
        raise Crash(f"killed after posting to {self.name}")


@contextmanager
def rig(tmp: Path, start: datetime, **options: object) -> Iterator[Rig]:
    with smtp_server() as sink:
        made = Rig(tmp, FakeClock(start), sink, **options)  # type: ignore[arg-type]
        try:
            yield made
        finally:
            made.store.close()
