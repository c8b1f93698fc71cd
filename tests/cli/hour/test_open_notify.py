"""`open` tells the operator when a citizen writes: a new thread, or a citizen who writes again
after an answer; never the message unless hour.notify_content; OSC 9 and the bell on a real
terminal when there is no desktop."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import Plugs, Sp
from tests.support.clocks import FakeClock
from tests.support.notify import FakeDesktop


def _set(config_file: Path, lines: str) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("[hour]\n", f"[hour]\n{lines}\n"), encoding="utf-8")


def test_new_threads_and_returning_citizens_are_notified_without_their_words(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs
) -> None:
    desktop = plugs.desktop
    sp("open", "--once")
    sp("sandbox", "send", "--from", "c1", "Wann kommt der Bus?")
    sp("sandbox", "send", "--from", "c1", "Und noch etwas")
    sp("open", "--once")
    assert desktop.shown == [("sprechstunde", "New thread 1")]  # one thread, one notice
    sp("sandbox", "send", "--from", "c1", "Hallo?")
    sp("open", "--once")
    assert len(desktop.shown) == 1  # still waiting for an answer: nothing new to tell
    sp("reply", "1", "Ab Montag wieder nach Plan.")
    sp("sandbox", "send", "--from", "c1", "Danke!")
    sp("open", "--once")
    assert desktop.shown[-1] == ("sprechstunde", "New message in thread 1")
    assert all("Bus" not in body and "Danke" not in body for _, body in desktop.shown)


def test_content_only_when_configured_and_nothing_when_off(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs
) -> None:
    _set(config_file, "notify_content = true")
    sp("open", "--once")
    sp("sandbox", "send", "--from", "c1", "Wann kommt der Bus?")
    sp("open", "--once")
    assert plugs.desktop.shown == [("sprechstunde", "New thread 1: Wann kommt der Bus?")]
    _set(config_file, 'notify = "off"')
    plugs.desktop = FakeDesktop()
    sp("sandbox", "send", "--from", "c2", "Guten Tag")
    sp("open", "--once")
    assert plugs.desktop.tries == 0


def test_the_bell_and_osc_9_reach_a_real_terminal(config_file: Path, tmp_path: Path) -> None:
    _set(config_file, 'notify = "bell"')
    cli = [sys.executable, "-m", "sprechstunde_cli"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")}
    for args in (
        ["open", "mittwoch", "--now", "--once"],
        ["sandbox", "send", "--from", "c1", "Hallo"],
    ):
        subprocess.run([*cli, *args], env=env, capture_output=True, check=True, timeout=60)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [*cli, "open", "mittwoch", "--once"],
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(primary)
    assert proc.returncode == 0, seen
    assert b"\x1b]9;New thread 1\x07\x07" in seen
    assert b"Hallo" not in seen.split(b"\x1b]9;")[1]  # no content by default
