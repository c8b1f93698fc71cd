"""The application object every command gets as ctx.obj: paths, config, store, clock, output."""

from __future__ import annotations

import getpass
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

import typer

from sprechstunde_cli.errors import NotFoundError, SprechstundeError

if TYPE_CHECKING:
    from rich.console import Console

    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.model import Clock, SessionRecord
    from sprechstunde_cli.mail import Mailer
    from sprechstunde_cli.paths import Paths
    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.store import Store


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# Tests replace this to walk time; nothing below cli/ reads the system clock.
CLOCK_FACTORY: Callable[[], Clock] = SystemClock


class Application:
    def __init__(self, paths: Paths, operator_override: str | None = None) -> None:
        self.paths = paths
        self._operator = operator_override
        self.clock: Clock = CLOCK_FACTORY()

    @cached_property
    def config(self) -> Config:
        from sprechstunde_cli.config import load_config

        return load_config(self.paths.config_file)

    @cached_property
    def store(self) -> Store:
        from sprechstunde_cli import logs
        from sprechstunde_cli.store import Store

        # Every command that touches the store may change state: give it the log.
        logs.configure(self.paths.log_file)
        return Store.open(self.paths.store_file, self.paths.key_dir)

    @cached_property
    def console(self) -> Console:
        from sprechstunde_cli.render import make_console

        return make_console()

    @cached_property
    def err_console(self) -> Console:
        from sprechstunde_cli.render import make_console

        return make_console(stderr=True)

    def say(self, message: str) -> None:
        """A status line for the operator: never wrapped, so scripts can grep it."""
        self.console.print(message, soft_wrap=True)

    def warn(self, message: str) -> None:
        self.err_console.print(f"Warning: {message}", soft_wrap=True)

    @property
    def operator(self) -> str:
        if self._operator:
            return self._operator
        if self.paths.config_file.exists() and self.config.operator:
            return self.config.operator
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no passwd entry in some containers
            return "operator"

    def mailer(self) -> Mailer | None:
        """The SMTP sender of [mail], or None when hand-offs go to an export file."""
        settings = self.config.mail
        if settings is None:
            return None
        from sprechstunde_cli.mail import Mailer
        from sprechstunde_cli.secrets import require_token

        password = require_token("smtp", self.paths).reveal() if settings.user else None
        return Mailer(settings, password)

    def provider(self, name: str) -> Provider:
        from sprechstunde_cli.providers.registry import build_provider

        return build_provider(name, self.paths, self._provider_settings(name))

    def _provider_settings(self, name: str) -> dict[str, object]:
        if not self.paths.config_file.exists():
            return {}
        return dict(self.config.providers.get(name, {}))

    def current_session(self, session_id: str | None) -> SessionRecord:
        """The named session, or the one session that is open right now."""
        from sprechstunde_cli.domain.model import SessionState

        if session_id:
            return self.store.require_session(session_id)
        running = self.store.sessions(SessionState.OPEN, SessionState.CLOSING)
        if len(running) == 1:
            return running[0]
        if not running:
            closed = self.store.sessions(SessionState.CLOSED)
            if closed:
                # Typically a `close --purge` whose purge stopped: finish that one.
                raise NotFoundError(
                    f"No session is open; '{closed[-1].id}' is closed but not yet purged.",
                    f"Delete its data: sprechstunde purge {closed[-1].id}",
                )
            raise NotFoundError(
                "No session is open.",
                "Start one with: sprechstunde open (or name one with --session).",
            )
        ids = ", ".join(s.id for s in running)
        raise NotFoundError(
            f"Several sessions are open ({ids}).", "Name the one you mean with --session ID."
        )


def report_error(err: SprechstundeError) -> None:
    from sprechstunde_cli.sanitize import clean

    typer.echo(f"Error: {clean(err.message)}", err=True)
    if err.hint:
        typer.echo(f"Hint: {clean(err.hint)}", err=True)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI")
