"""One `open` per session: a second one refuses naming the first; `--view` watches read-only;
the hold of an `open` killed with -9 does not outlive it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp


def _wait_until_open(sp: Sp) -> None:
    for _ in range(150):  # bounded: until the first `open` has recorded the session as open
        time.sleep(0.1)
        if "open" in sp("sessions").stdout.split("mittwoch")[1].split("\n")[0]:
            return
    raise AssertionError("the first open never opened the session")


def test_a_second_open_refuses_and_a_killed_one_lets_go(sp: Sp, config_file: Path) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "sprechstunde_cli", "open", "mittwoch", "--now", "--plain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_open(sp)
        sp("sandbox", "send", "--from", "c1", "Hallo")

        second = sp("open", "mittwoch", "--now", "--once", expect=ExitCode.CONFLICT)
        assert f"process {first.pid} on {socket.gethostname()}" in second.stderr
        assert "--view" in second.stderr
        # Watching takes nothing: the thread the first one took in is listed.
        for _ in range(100):
            watched = sp("open", "--view", "--plain")  # the open one: the rehearsal
            if "c1" in watched.stdout:
                break
            time.sleep(0.1)
        assert "c1" in watched.stdout
        assert "Opened" not in watched.stdout and "Resumed" not in watched.stdout

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        # Its process is gone on this host: the hold goes with it, no minute to wait.
        resumed = sp("open", "mittwoch", "--once")
        assert "Resumed rehearsal 'mittwoch-probe-" in resumed.stdout
    finally:
        first.kill()
        first.communicate(timeout=30)


def test_open_gives_its_hold_back_when_it_ends(sp: Sp, config_file: Path) -> None:
    sp("open", "mittwoch", "--now", "--once")
    # The same machine, a new process each time (the CLI here runs in this one): no refusal.
    assert "Resumed" in sp("open", "mittwoch", "--once").stdout
