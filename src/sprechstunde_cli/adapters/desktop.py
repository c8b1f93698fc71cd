"""Desktop notifications while `open` runs, and the decision which way to tell the operator.

The OS integration (freedesktop notifications over D-Bus, macOS Notification Center) is
desktop-notifier, imported only when a first notification is due, so no other command pays
for it. Where it cannot reach a notification service (no session bus: SSH, a container, a
server console), the terminal is told instead: OSC 9 (a notification in iTerm2, Windows
Terminal, kitty, foot …) and the bell.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

APP_NAME = "sprechstunde"


class DesktopSink(Protocol):
    def show(self, title: str, body: str) -> bool:
        """Show a desktop notification; False if there is no way to."""
        ...


class Notifier:
    """hour.notify: "desktop" (falling back to the terminal), "bell" (the terminal), "off"."""

    def __init__(self, mode: str, desktop: DesktopSink, terminal: Callable[[str], None]) -> None:
        self.mode = mode
        self.desktop = desktop
        self.terminal = terminal
        self._desktop_works = mode == "desktop"

    def tell(self, title: str, body: str) -> str:
        """Tell the operator; returns the way taken: "desktop", "terminal" or "off"."""
        if self.mode == "off":
            return "off"
        if self._desktop_works:
            if self.desktop.show(title, body):
                return "desktop"
            self._desktop_works = False  # not again every poll: the terminal from now on
        self.terminal(body)
        return "terminal"


class _Failures(logging.Handler):
    """desktop-notifier logs a failed send instead of raising it: noted here, kept off the
    screen (a traceback would tear the live view)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        self.failed = True


class DesktopNotifications:
    """The real desktop, through desktop-notifier."""

    def __init__(self) -> None:
        self._notifier: Any = None
        self._failures = _Failures()

    def show(self, title: str, body: str) -> bool:
        if not _service_reachable():
            return False
        try:
            if self._notifier is None:
                from desktop_notifier import DesktopNotifierSync

                log = logging.getLogger("desktop_notifier")
                log.addHandler(self._failures)
                log.propagate = False
                self._notifier = DesktopNotifierSync(app_name=APP_NAME)
            self._failures.failed = False
            self._notifier.send(title=title, message=body)
        except Exception:  # any failure of the OS integration: the terminal tells instead
            return False
        return not self._failures.failed


def _service_reachable() -> bool:
    """Whether a notification service can be there at all: macOS, or a D-Bus session bus."""
    if sys.platform == "darwin":
        return True
    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return runtime is not None and Path(runtime, "bus").exists()
