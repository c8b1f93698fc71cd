"""adapters/desktop.py: which way `open` tells the operator, and the fallback to the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.adapters.desktop import DesktopNotifications, Notifier
from sprechstunde_cli.domain.notify import Arrival
from sprechstunde_cli.render.notices import notices
from tests.support.notify import FakeDesktop


def told(mode: str, desktop: FakeDesktop, times: int = 1) -> tuple[list[str], list[str]]:
    terminal: list[str] = []
    notifier = Notifier(mode, desktop, terminal.append)
    ways = [notifier.tell("sprechstunde", f"New thread {n}") for n in range(1, times + 1)]
    return ways, terminal


def test_desktop_mode_uses_the_desktop_and_not_the_terminal() -> None:
    desktop = FakeDesktop()
    ways, terminal = told("desktop", desktop, 2)
    assert ways == ["desktop", "desktop"]
    assert desktop.shown == [("sprechstunde", "New thread 1"), ("sprechstunde", "New thread 2")]
    assert terminal == []


def test_without_a_desktop_the_terminal_tells_and_the_desktop_is_not_asked_again() -> None:
    desktop = FakeDesktop(works=False)
    ways, terminal = told("desktop", desktop, 3)
    assert ways == ["terminal"] * 3
    assert terminal == ["New thread 1", "New thread 2", "New thread 3"]
    assert desktop.tries == 1  # not a failing D-Bus call on every poll


def test_bell_mode_never_asks_the_desktop_and_off_tells_nobody() -> None:
    desktop = FakeDesktop()
    ways, terminal = told("bell", desktop)
    assert (ways, terminal, desktop.tries) == (["terminal"], ["New thread 1"], 0)
    ways, terminal = told("off", desktop)
    assert (ways, terminal, desktop.tries) == (["off"], [], 0)


def test_a_machine_without_a_session_bus_has_no_desktop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no `bus` socket in it
    assert DesktopNotifications().show("sprechstunde", "New thread 1") is False


def test_a_notice_names_the_thread_and_quotes_only_when_configured() -> None:
    arrivals = [
        Arrival(7, True, "Wann kommt der Bus?"),
        Arrival(3, False, "Danke!\x1b]9;evil\x07\nZweite Zeile"),
    ]
    assert notices(arrivals, content=False) == [
        ("sprechstunde", "New thread 7"),
        ("sprechstunde", "New message in thread 3"),
    ]
    quoted = [body for _, body in notices(arrivals, content=True)]
    assert quoted[0] == "New thread 7: Wann kommt der Bus?"
    assert quoted[1].startswith("New message in thread 3: Danke!")
    assert "\x1b" not in quoted[1] and "\x07" not in quoted[1] and "\n" not in quoted[1]
