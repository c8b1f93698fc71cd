"""Shared by the hand-off tests: a real SMTP server on loopback and a session on the local
messenger in which a citizen asks something a department must answer."""

from __future__ import annotations

import email
import email.policy
import socket
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.config.mail import parse_mail_settings
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import handoff, hour
from sprechstunde_cli.services import reply as operator
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.services.handoff import Consent
from sprechstunde_cli.store import Store
from tests.support.cli import EXAMPLE_CONFIG
from tests.support.clocks import IN_THE_HOUR, FakeClock

HANDOFF_TOML = """
[handoff]
default_mailbox = "buergerbuero@example.org"
departments = { Wohngeldamt = "wohngeld@example.org", Tiefbauamt = "tiefbau@example.org" }
"""
CITIZEN = "+49 000 0000042"  # fictitious
CITIZEN_NAME = "Kanarien Name"
ANNA = "anna.beispiel@example.org"
OFFICE_CANARY = "KANARIE-BUEROANTWORT"
CAPTION_CANARY = "KANARIE-BILDUNTERSCHRIFT"
OTHER_CANARY = "KANARIE-ANDERER-THREAD"


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass
class Received:
    rcpt: list[str]
    msg: EmailMessage
    helo: str = ""  # the name the client greeted with (EHLO/HELO)
    peer: str = ""  # the address the client came from, as the server saw it


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1: records what it accepts, or answers with scripted replies."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    script: list[str] = field(default_factory=list)  # one-off replies to DATA, in order
    refuse: str | None = None  # a reply to every DATA
    rcpt_script: list[str] = field(default_factory=list)  # one-off replies to RCPT TO

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_script:
            return self.rcpt_script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.script:
            return self.script.pop(0)
        if self.refuse:
            return self.refuse
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(list(envelope.rcpt_tos), parsed, session.host_name or "", session.peer[0])
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port for the duration of the block."""
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def mail_table(port: int) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "buergerbuero@example.org",
        "timeout": 5,
    }


def make_config(*, mail_port: int | None = None, default_mailbox: bool = True) -> Config:
    raw = tomllib.loads(EXAMPLE_CONFIG + HANDOFF_TOML)
    if not default_mailbox:
        del raw["handoff"]["default_mailbox"]
    if mail_port is not None:
        raw["mail"] = mail_table(mail_port)
    return parse_config(raw)


# --- a session on the local messenger --------------------------------------------------------


@dataclass
class Rig:
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    media_dir: Path
    export_dir: Path
    sleeps: list[float] = field(default_factory=list)
    hour: hour.Hour | None = None

    def open(self) -> None:
        hour.open_session(self.store, self.config.session("mittwoch"), self.clock.now(), actor="t")
        self.hour = hour.Hour(self.store, self.provider, self.config, "mittwoch", self.media_dir)

    def step(self) -> None:
        assert self.hour is not None
        self.hour.step(self.clock.now(), wait=0.0)

    def says(self, handle: str, text: str, name: str = "") -> None:
        self.messenger.citizen_send(handle, text, name=name)
        self.step()

    @property
    def session(self) -> Any:
        return self.store.require_session("mittwoch")

    def phone(self, handle: str) -> list[str]:
        return [e.text for e in self.messenger.phone(handle) if e.incoming]

    def record(self, number: int, dept: str, address: str, **kw: Any) -> handoff.Handoff:
        return handoff.record(
            self.store,
            self.provider,
            self.config,
            self.session,
            number,
            department=dept,
            email=address,
            note=kw.pop("note", ""),
            consent=kw.pop("consent", Consent.OPERATOR),
            operator="mia",
            now=self.clock.now(),
            **kw,
        )

    def deliver(self, mailer: Mailer | None, **kw: Any) -> handoff.HandoffReport:
        return handoff.deliver_all(
            self.store,
            self.config,
            mailer,
            "mittwoch",
            self.clock.now(),
            export_dir=self.export_dir,
            sleep=self.sleeps.append,
            rng=lambda: 1.0,  # the top of the jitter range: the waits are the ceiling
            **kw,
        )


@contextmanager
def open_rig(tmp_path: Path) -> Iterator[Rig]:
    """A store and the local messenger under tmp_path, with the [handoff] example config."""
    store = Store.open(tmp_path / "data" / "store.db")
    clock = FakeClock(IN_THE_HOUR)
    messenger = LocalMessenger(tmp_path / "data" / "local-messenger.db", stamp=clock.now)
    media_dir = tmp_path / "data" / "sessions" / "mittwoch" / "media"
    try:
        yield Rig(
            store,
            messenger,
            LocalProvider(messenger),
            make_config(),
            clock,
            media_dir,
            tmp_path / "exports",
        )
    finally:
        messenger.close()
        store.close()


def ask(rig: Rig) -> Rig:
    """Thread 1: a question, a photo with a caption, an office reply, then the address."""
    rig.open()
    rig.says(CITIZEN, "Wann wird mein Wohngeld bewilligt?", name=CITIZEN_NAME)
    rig.messenger.citizen_send(
        CITIZEN, CAPTION_CANARY, kind=MessageKind.IMAGE, media=make_png(4, 4, (9, 9, 9))
    )
    rig.step()
    operator.reply(
        rig.store,
        rig.provider,
        rig.session,
        1,
        f"Das muss das Fachamt klären. {OFFICE_CANARY}",
        operator="mia",
        now=rig.clock.now(),
        media_dir=rig.media_dir,
        max_media_bytes=10_000_000,
    )
    rig.says(CITIZEN, f"Gern per Mail an {ANNA}, danke.")
    rig.says("c2", f"Ganz andere Frage {OTHER_CANARY} an bert@example.org")
    return rig


def mailer(port: int) -> Mailer:
    return Mailer(parse_mail_settings(mail_table(port), "mail"), None)
