"""The plain lines are what Rich prints in German too: the language is chosen once per process,
so `test_plain.py` runs again in a pytest of its own with a German operator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _german(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPRECHSTUNDE_TEST_LANG": "de", "SPRECHSTUNDE_LANG": "de"}
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_thread_table_speaks_german_there() -> None:
    shown = _german(
        "-c", "from sprechstunde_cli.render.thread_lines import headers; print(headers())"
    )
    assert "Bürger*in" in shown.stdout and "citizen" not in shown.stdout, shown.stderr


def test_plain_lines_are_what_rich_prints_in_german() -> None:
    plain = Path(__file__).with_name("test_plain.py")
    run = _german("-m", "pytest", "-q", "-p", "no:cacheprovider", str(plain))
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
