"""The application object every command gets as ctx.obj: paths, config, store, clock, output.

`Wiring` is what the outside world plugs in: the clock, the timer for network and lock waits,
the httpx transport every HTTP adapter uses, and how the store is opened. A terminal gets the
real ones; a test passes its own, as `CliRunner().invoke(app, args, obj=Wiring(...))`, the way
httpx takes a `transport=`.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from sprechstunde_cli.system.clock import SYSTEM_TIMER, SystemClock

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from rich.console import Console, ConsoleRenderable
    from rich.live import Live
    from rich.text import Text

    from sprechstunde_cli.adapters.smtp import Mailer
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.model import Clock, Timer
    from sprechstunde_cli.providers.base import Provider, ProviderContext, Transport
    from sprechstunde_cli.render.console import Redacted
    from sprechstunde_cli.store import Store
    from sprechstunde_cli.system.paths import Paths


class StoreOpener(Protocol):
    def __call__(self, path: Path, key_dir: Path, *, timer: Timer) -> Store: ...


@dataclass(frozen=True)
class Wiring:
    clock: Clock = field(default_factory=SystemClock)
    timer: Timer = SYSTEM_TIMER
    # For every HTTP adapter (messengers, Mastodon); None: the real network.
    transport: Transport | None = None
    # None: `Store.open`. A test passes its own to put the store on a full or read-only disk.
    open_store: StoreOpener | None = None


class Application:
    def __init__(
        self, paths: Paths, wiring: Wiring | None = None, operator_override: str | None = None
    ) -> None:
        self.paths = paths
        self.wiring = wiring or Wiring()
        self._operator = operator_override
        self.clock: Clock = self.wiring.clock

    @cached_property
    def config(self) -> Config:
        from sprechstunde_cli.config import load_config

        return load_config(self.paths.config_file)

    @cached_property
    def store(self) -> Store:
        from sprechstunde_cli.store import Store
        from sprechstunde_cli.system import logs

        if self.paths.config_file.exists():
            # An invalid config stops every command, also those that read only the store.
            _ = self.config
        # Every command that touches the store may change state: give it the log.
        logs.configure(self.paths.log_file)
        opener = self.wiring.open_store or Store.open
        return opener(self.paths.store_file, self.paths.key_dir, timer=self.wiring.timer)

    @cached_property
    def console(self) -> Console:
        from sprechstunde_cli.render.console import make_console

        return make_console()

    @cached_property
    def err_console(self) -> Console:
        from sprechstunde_cli.render.console import make_console

        return make_console(stderr=True)

    # --- output: the only way a command reaches the terminal ----------------------------------
    # Every line may quote a citizen, a server or the config, so each method sanitizes or takes
    # a view built by render/ (rich objects, never a bare str); the architecture test
    # (tests/architecture/test_output.py) finds any print, echo or console call elsewhere.

    def say(self, message: str) -> None:
        """A status line for the operator: never wrapped, so scripts can grep it. It may quote a
        server or the config, so it is redacted of secrets and sanitized like everything else."""
        self.console.print(_literal(message), soft_wrap=True)

    def warn(self, message: str) -> None:
        from sprechstunde_cli.i18n import _

        self.err_console.print(
            _literal(_("Warning: {message}").format(message=message)), soft_wrap=True
        )

    def fail(self, message: str) -> None:
        """A line on stderr without the `Warning:` prefix (failed announcements, files)."""
        self.err_console.print(_literal(message), soft_wrap=True)

    def redacted(self, text: str) -> Redacted:
        """`text` without secrets, for a line a render/ view prints (the live view's status and
        alert): what say/warn/fail do to theirs, so `open` shows the same in both modes."""
        return _redacted(text)

    def show(self, view: ConsoleRenderable, *, soft_wrap: bool = False) -> None:
        """A view built by render/ (a str would bypass the sanitizer, so the type forbids it)."""
        self.console.print(view, soft_wrap=soft_wrap)

    def emit_json(self, obj: Mapping[str, object]) -> None:
        """One JSON line; jsonout escapes every character that is not printable ASCII."""
        import typer

        from sprechstunde_cli.render.jsonout import dumps

        typer.echo(dumps(obj))

    def confirm(self, question: str) -> bool:
        """A yes/no question on the terminal; the answer defaults to no."""
        import typer

        from sprechstunde_cli.render.sanitize import clean

        return typer.confirm(clean(question, single_line=True), default=False)

    def ask(self, label: str, *, default: str = "", secret: bool = False) -> str:
        """One line typed by the operator; a secret is not echoed and has no default shown.
        Enter alone returns `default` as it is."""
        import typer

        from sprechstunde_cli.render.sanitize import clean

        shown = clean(label, single_line=True)
        if default and not secret:
            # Click would print the default raw, and it comes from the config: shown cleaned in
            # the label instead, the way Click shows it.
            shown += f" [{clean(default, single_line=True)}]"
        answer: str = typer.prompt(shown, default=default, show_default=False, hide_input=secret)
        return answer

    def live(self) -> Live:
        """A live view on the console; its frames come from render/threads.py."""
        from rich.live import Live

        return Live(console=self.console, auto_refresh=False, screen=False, transient=False)

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
        from sprechstunde_cli.adapters.smtp import Mailer
        from sprechstunde_cli.system.credentials import require_token

        password = require_token("smtp", self.paths).reveal() if settings.user else None
        return Mailer(settings, password)

    def provider(self, name: str) -> Provider:
        """The messenger `name`, built from its config section; use it as a context manager."""
        from sprechstunde_cli.providers.registry import entry_for

        entry = entry_for(name)
        if self.paths.config_file.exists():
            settings = self.config.provider_settings(name)
        else:
            settings = entry.parse_settings({})  # the sandbox and demo run without a config
        return entry.create(settings, self.provider_context(name))

    def provider_context(self, name: str) -> ProviderContext:
        from sprechstunde_cli.providers.base import ProviderContext
        from sprechstunde_cli.system.credentials import require_token

        return ProviderContext(
            paths=self.paths,
            token=lambda: require_token(name, self.paths),
            transport=self.wiring.transport,
            timer=self.wiring.timer,
        )


def _literal(message: str) -> Text:
    from sprechstunde_cli.render.console import citizen_text

    return citizen_text(_redacted(message))


def _redacted(text: str) -> Redacted:
    from sprechstunde_cli.render.console import Redacted
    from sprechstunde_cli.system.redact import redact

    return Redacted(redact(text))


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI")
