"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

With `login=(user, password)` it offers AUTH (without TLS: loopback only) and refuses any other
credentials; `replies` are one-off answers to DATA, in order (e.g. a refusal that quotes the
session back).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Sink:
    delay: float = 0.0  # seconds to hold each message, to make overlapping senders overlap
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    port: int = 0
    replies: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)  # the users that logged in
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.replies:
            return self.replies.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(delay: float = 0.0, *, login: tuple[str, str] | None = None) -> Iterator[Sink]:
    sink = Sink(delay=delay, port=_free_port())
    auth: dict[str, Any] = {}
    if login is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (
                (data.login.decode(), data.password.decode()) == login
            )
            if ok:
                sink.logins.append(login[0])
            return AuthResult(success=ok, handled=False)

        auth = {"authenticator": authenticator, "auth_require_tls": False}
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, **auth)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
