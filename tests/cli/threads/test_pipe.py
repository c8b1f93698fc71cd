"""`threads | head`: a reader that stops reading ends the command quietly, with exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.threads.busy_hour import fill_busy_hour
from tests.support.cli import Sp
from tests.support.clocks import FakeClock

ENTRY = "import sys; from sprechstunde_cli.cli import main; sys.argv[0] = 'sprechstunde'; main()"


def test_a_closed_pipe_ends_threads_quietly(sp: Sp, config_file: Path, clock: FakeClock) -> None:
    # 600 threads: more than a pipe holds (64 KiB), so writing meets the closed end.
    fill_busy_hour(sp, clock, threads=600)
    read, write = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "threads"],
        stdout=write,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        first = reader.readline()  # what `head -1` reads, then it goes away
    _, stderr = proc.communicate(timeout=60)
    assert b"citizen" in first
    assert stderr.decode() == ""
    assert proc.returncode == 0


def test_a_closed_pipe_before_any_output_is_quiet_too(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    fill_busy_hour(sp, clock, threads=20)  # all of it fits the pipe: only the last flush fails
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run(
        [sys.executable, "-c", ENTRY, "threads"],
        stdout=write,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=60,
        check=False,
    )
    os.close(write)
    assert proc.stderr.decode() == ""
    assert proc.returncode == 0
