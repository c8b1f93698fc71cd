"""The application object every command gets as ctx.obj: paths, config, store, clock, output.

`Wiring` is what the outside world plugs in: the clock, the timer for network and lock waits,
the httpx transport every HTTP adapter uses, and how the store is opened. A terminal gets the
real ones; a test passes its own, as `CliRunner().invoke(app, args, obj=Wiring(...))`, the way
httpx takes a `transport=`.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from sprechstunde_cli.system.clock import SYSTEM_TIMER, SystemClock

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path
    from typing import Protocol

    from rich.console import Console, ConsoleRenderable
    from rich.live import Live
    from rich.text import Text

    from sprechstunde_cli.adapters.desktop import DesktopSink, Notifier
    from sprechstunde_cli.adapters.smtp import Mailer
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.model import Clock, Timer
    from sprechstunde_cli.domain.notify import Arrival
    from sprechstunde_cli.providers.base import Provider, Transport
    from sprechstunde_cli.render.console import Redacted
    from sprechstunde_cli.render.plain import PlainLines
    from sprechstunde_cli.render.progress import Step
    from sprechstunde_cli.store import Store
    from sprechstunde_cli.system.paths import Paths

    # Only a type (a class made at run time costs every command's start).
    class StoreOpener(Protocol):
        def __call__(self, path: Path, key_dir: Path, *, timer: Timer) -> Store: ...


# Compared by identity (eq=False): a clock or a transport has no value to compare, and the
# __eq__ and __hash__ a dataclass would generate cost every command's start.
@dataclass(frozen=True, eq=False)
class Wiring:
    """What a command runs against: the real clock, network, store and desktop, or a test's own."""

    clock: Clock = field(default_factory=SystemClock)
    timer: Timer = SYSTEM_TIMER
    # For every HTTP adapter (messengers, Mastodon); None: the real network.
    transport: Transport | None = None
    # None: `Store.open`. A test passes its own to put the store on a full or read-only disk.
    open_store: StoreOpener | None = None
    # None: the real desktop notifications (adapters/desktop.py); a test passes a fake.
    desktop: DesktopSink | None = None


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
        from sprechstunde_cli.config.checked import load_checked

        return load_checked(self.paths.config_file, self.paths.config_check)

    @cached_property
    def checked_config(self) -> bytes | None:
        """The config file, read once, if it passed its check as it is now (config/checked.py):
        the store needs no check then, and cli/sections.py reads single sections of it."""
        from sprechstunde_cli.config.checked import checked

        return checked(self.paths.config_file, self.paths.config_check)

    @cached_property
    def checked_tables(self) -> Mapping[str, Any] | None:
        from sprechstunde_cli.config.checked import tables

        return None if (data := self.checked_config) is None else tables(data)

    @cached_property
    def store(self) -> Store:
        from sprechstunde_cli.store import Store
        from sprechstunde_cli.system import logs

        if self.paths.config_file.exists() and self.checked_config is None:
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
        if not self._plain(message, sys.stdout):
            self.console.print(_literal(message), soft_wrap=True)

    def warn(self, message: str) -> None:
        from sprechstunde_cli.i18n import _

        line = _("Warning: {message}").format(message=message)
        if not self._plain(line, sys.stderr):
            self.err_console.print(_literal(line), soft_wrap=True)

    def fail(self, message: str) -> None:
        """A line on stderr without the `Warning:` prefix (failed announcements, files)."""
        if not self._plain(message, sys.stderr):
            self.err_console.print(_literal(message), soft_wrap=True)

    def _plain(self, message: str, stream: TextIO) -> bool:
        """Write a line as Rich would print it unwrapped and unstyled, where Rich would print no
        styles (a pipe, a file), without loading Rich; False: Rich prints it."""
        consoles = ("console", "err_console")
        if any(name in self.__dict__ for name in consoles):
            return False  # a console is set up (or given by a test): it prints everything
        from sprechstunde_cli.render.plain import plain_line, plain_width
        from sprechstunde_cli.system.redact import redact

        line = plain_line(redact(message))
        if line is None or plain_width(os.environ, stream) is None:
            return False
        stream.write(line)
        return True

    def redacted(self, text: str) -> Redacted:
        """`text` without secrets, for a line a render/ view prints (the live view's status and
        alert): what say/warn/fail do to theirs, so `open` shows the same in both modes."""
        return _redacted(text)

    def show(self, view: ConsoleRenderable, *, soft_wrap: bool = False) -> None:
        """A view built by render/ (a str would bypass the sanitizer, so the type forbids it)."""
        self.console.print(view, soft_wrap=soft_wrap)

    def plain_width(self) -> int | None:
        """The width of stdout where Rich would print no styles (a pipe, a file): a view that
        has a plain form can be written with `show_lines` there, without loading Rich. None:
        use `show` (a terminal, or a console is already set up)."""
        if "console" in self.__dict__:
            return None
        from sprechstunde_cli.render.plain import plain_width

        return plain_width(os.environ, sys.stdout)

    def show_lines(self, lines: PlainLines) -> None:
        """The plain form of a view, built by render/ (its text sanitized there) for the width
        `plain_width` gave: exactly what `show` would print there."""
        sys.stdout.write("".join(f"{line}\n" for line in lines))

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

    def notify(self, arrivals: Sequence[Arrival]) -> None:
        """Tell the operator that citizens wrote (hour.notify): a desktop notification, else
        OSC 9 and the bell on the terminal. The citizen's words only with hour.notify_content."""
        if not arrivals or self.config.hour.notify == "off":
            return
        from sprechstunde_cli.render.notices import notices

        for title, body in notices(arrivals, content=self.config.hour.notify_content):
            self.notifier.tell(title, _redacted(body))

    @cached_property
    def notifier(self) -> Notifier:
        from sprechstunde_cli.adapters.desktop import DesktopNotifications, Notifier

        desktop = self.wiring.desktop or DesktopNotifications()
        return Notifier(self.config.hour.notify, desktop, self._terminal_alert)

    def _terminal_alert(self, text: str) -> None:
        """OSC 9 (a notification in many terminals) and the bell; only to a terminal, never
        into a pipe or a log file. `text` is one cleaned line: no control character ends the
        sequence early."""
        if not self.console.is_terminal:
            return
        from sprechstunde_cli.render.sanitize import clean

        line = clean(text, single_line=True, limit=200)
        self.console.file.write(f"\x1b]9;{line}\x07\x07")
        self.console.file.flush()

    def live(self) -> Live:
        """A live view on the console; its frames come from render/threads.py."""
        from rich.live import Live

        return Live(console=self.console, auto_refresh=False, screen=False, transient=False)

    def delivering(self) -> AbstractContextManager[Callable[[Step], None]]:
        """A callback for a long delivery's progress: a bar on a terminal, a plain line now
        and then otherwise (render/progress.py)."""
        from sprechstunde_cli.render import progress

        return progress.reporting(self.console, self.say)

    @property
    def operator(self) -> str:
        if self._operator:
            return self._operator
        from sprechstunde_cli.cli import sections

        if self.paths.config_file.exists() and (name := sections.operator(self)):
            return name
        try:
            import getpass  # with termios: only a command that needs the operator's name

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
        from sprechstunde_cli.cli import messenger

        return messenger.build(self, name)

    @property
    def config_loaded(self) -> Config | None:
        """The config if this command has loaded it already, else None (nothing is read)."""
        loaded: Config | None = self.__dict__.get("config")
        return loaded


def _literal(message: str) -> Text:
    from sprechstunde_cli.render.console import citizen_text

    return citizen_text(_redacted(message))


def _redacted(text: str) -> Redacted:
    from sprechstunde_cli.render.console import Redacted
    from sprechstunde_cli.system.redact import redact

    return Redacted(redact(text))


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI")
