"""Every folder the tool makes is 0700 and every file 0600, whatever the umask: a whole rehearsal
through the real CLI in subprocesses, with the platform's own config, data, state and log
folders under a HOME of the test's own, walked at three points of the session's life."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sprechstunde_cli.services.demo.samples import make_png

CONFIG = """
[office]
name = "Stadt Musterstadt"
timezone = "Europe/Berlin"

[hour]
poll_seconds = 0.05

[sessions.probe]
title = "Sprechstunde der Oberbürgermeisterin"
official = "Oberbürgermeisterin Erika Mustermann"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
provider = "local"

[handoff]
default_mailbox = "buergerbuero@example.org"
departments = { Tiefbauamt = "tiefbau@example.org" }
export_dir = "~/Übergaben"
"""


class Rehearsal:
    """The CLI as an operator runs it, with a umask, the platform folders under `home`."""

    def __init__(self, home: Path, umask: int, editor: Path) -> None:
        self.home = home
        self.umask = umask
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SPRECHSTUNDE_", "XDG_")) and k not in {"VISUAL", "EDITOR"}
        }
        # The platform defaults (platformdirs), not test overrides: ~/.config, ~/.local/share,
        # ~/.local/state. The null keyring: nothing here needs a token, nothing may reach the
        # real keyring.
        self.env = {
            **env,
            "HOME": str(home),
            "EDITOR": str(editor),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }

    def argv(self, args: tuple[str, ...]) -> list[str]:
        return [sys.executable, "-m", "sprechstunde_cli", *args]

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            self.argv(args),
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
            umask=self.umask,
            check=False,
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def background(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            umask=self.umask,
        )


def too_open(home: Path, ours: set[Path]) -> tuple[list[str], set[str]]:
    """Everything under `home` the test did not make that is not 0700 (folders) or 0600
    (files), and the names of all files seen."""
    wrong: list[str] = []
    names: set[str] = set()
    for folder, dirs, files in os.walk(home):
        for name in dirs + files:
            path = Path(folder) / name
            if path in ours:
                continue
            info = path.lstat()
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISDIR(info.st_mode):
                ok = mode == 0o700
            else:
                names.add(name)
                ok = stat.S_ISREG(info.st_mode) and mode == 0o600
            if not ok:
                wrong.append(f"{oct(mode)} {path.relative_to(home)}")
    return wrong, names


def wait_for(paths: list[Path], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not all(p.exists() for p in paths):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, [str(p) for p in paths if not p.exists()]
        time.sleep(0.05)


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask-000", "umask-022"])
def test_a_whole_rehearsal_leaves_only_private_folders_and_files(
    tmp_path: Path, umask: int
) -> None:
    home = Path.home()  # the test's own (tests/conftest.py)
    editor = tmp_path / "editor.sh"  # outside home: the test's, not the tool's
    editor.write_text('#!/bin/sh\nprintf "Aus dem Editor\\n" >> "$1"\n')
    editor.chmod(0o755)
    photo = home / "plan.png"
    photo.write_bytes(make_png(40, 30, (46, 139, 87)))
    photo.chmod(0o644)
    sp = Rehearsal(home, umask, editor)
    data = home / ".local" / "share" / "sprechstunde"

    sp("init")
    config = home / ".config" / "sprechstunde" / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")  # keeps the mode init gave it
    sp("sandbox", "send", "--from", "c1", "--image", str(photo), "Schaden am Spielplatz")
    sp("sandbox", "send", "--from", "c1", "Bitte antworten Sie an c1@example.org")
    opened = sp("open", "probe", "--now", "--once")
    # Not due: the rehearsal runs on its own copy of the planned session.
    found = re.search(r"Opened rehearsal '(probe-probe-[\d-]+)' of 'probe'", opened)
    assert found, opened
    rehearsal = found[1]
    sp("reply", "1", "Danke, hier der Plan", "--attach", str(photo))
    sp("reply", "1")  # written in $EDITOR: a draft in sessions/<rehearsal>/tmp
    sp("media", "1", "1")  # a viewer copy in sessions/<rehearsal>/tmp
    sp("followup", "1", "--email", "c1@example.org", "--dept", "Tiefbauamt", "--consent")

    # While `open` runs, both SQLite files have their -wal and -shm beside them.
    databases = ("sprechstunde.db", "local-messenger.db")
    sides = [data / f"{db}{side}" for db in databases for side in ("-wal", "-shm")]
    running = sp.background("open", "probe", "--plain")
    try:
        wait_for(sides, running)
        wrong, during = too_open(home, {photo})
    finally:
        running.send_signal(signal.SIGINT)
        running.communicate(timeout=30)
    assert running.returncode == 130  # Ctrl-C: the session stays open
    assert wrong == []
    expected = {
        "config.toml",
        "sprechstunde.db",
        "sprechstunde.db-wal",
        "sprechstunde.db-shm",
        "local-messenger.db-wal",
        "local-messenger.db-shm",
        "sprechstunde.log",
        f"{rehearsal}.key",
        "thread1-1.png",
    }
    assert expected <= during, expected - during
    assert sum(name.endswith(".png") for name in during) >= 3  # media: in, out, viewer copy

    sp("close", rehearsal, "--export-handoffs")
    wrong, after_close = too_open(home, {photo})
    assert wrong == []
    assert any(n.startswith("handoffs-probe-") for n in after_close), after_close
    assert (home / "Übergaben").is_dir()

    sp("purge", rehearsal)
    wrong, after_purge = too_open(home, {photo})
    assert wrong == []
    assert "sprechstunde.log" in after_purge and f"{rehearsal}.key" not in after_purge


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask-000", "umask-022"])
def test_the_demo_leaves_only_private_folders_and_files(tmp_path: Path, umask: int) -> None:
    home = Path.home()  # the test's own (tests/conftest.py)
    sp = Rehearsal(home, umask, tmp_path / "no-editor")
    workdir = home / "probe"
    sp("demo", "--fast", "--workdir", str(workdir), "--keep-data")
    wrong, names = too_open(home, set())
    assert wrong == []
    assert {"sprechstunde.db", "local-messenger.db", "probe.key"} <= names
    assert {Path(n).suffix for n in names} >= {".png", ".ogg"}  # the citizens' media
