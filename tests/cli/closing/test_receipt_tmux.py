"""`receipt` and `stats` in a real terminal (tmux, 50 columns): no field is broken, the
figures stand in one column."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from tests.support.tools import needs

SRC = Path(__file__).parents[3] / "src"
TIME = re.compile(r"[A-Z][a-z]{2} \d\d\.\d\d\.\d{4}, \d\d:\d\d")


def cli(*args: str) -> str:
    command = [sys.executable, "-m", "sprechstunde_cli", *args]
    return subprocess.run(
        command, env=_env(), capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(SRC)}


@needs("tmux")
def test_receipt_and_stats_in_a_50_column_terminal(config_file: Path, tmp_path: Path) -> None:
    # Before the planned hour `--now` rehearses on a copy; its id is what the rest names.
    opened = re.search(
        r"rehearsal '(mittwoch-probe-[\d-]+)'", cli("open", "mittwoch", "--now", "--once")
    )
    assert opened is not None
    session = opened.group(1)
    cli("sandbox", "send", "--from", "c1", "Wann kommt der Bus?")
    cli("open", session, "--once")
    cli("tag", "1", "Verkehr", "--session", session)
    cli("close", session)
    # The citizen's app shows the closing words: the purge need not wait out the grace.
    cli("sandbox", "inbox", "--as", "c1")
    cli("purge", session)

    python = shlex.quote(sys.executable)
    script = tmp_path / "show.sh"
    script.write_text(
        f"export PYTHONPATH={shlex.quote(str(SRC))}\n"
        # The tests' fixed COLUMNS would override what the terminal says its width is.
        "unset COLUMNS LINES\n"
        f"{python} -m sprechstunde_cli receipt {session}\n"
        f"{python} -m sprechstunde_cli stats {session}\n"
        "echo END-OF-OUTPUT\nsleep 120\n"
    )
    socket = f"sprechstunde-test-{tmp_path.name}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "50", "-y", "90", f"sh {shlex.quote(str(script))}"],
        env=_env(),
        check=True,
        timeout=30,
    )
    try:
        screen = ""
        deadline = time.monotonic() + 60
        while "END-OF-OUTPUT" not in screen and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-S", "-200"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=30, check=False)
    lines = screen.splitlines()
    assert "END-OF-OUTPUT" in screen, screen
    assert max(len(line.rstrip()) for line in lines) <= 50
    # Each time stands whole on one line, never split by the terminal's edge.
    planned = lines[lines.index("  planned:") + 1]
    assert re.fullmatch(r"    " + TIME.pattern + r" – \d\d:\d\d", planned), screen
    assert sum(bool(TIME.search(line)) for line in lines) >= 6, screen
    assert any(line.strip() == "done, destroyed yes" for line in lines), screen
    stats = lines[next(i for i, line in enumerate(lines) if line.startswith("Session mittwoch")) :]
    figures = [line for line in stats[1:] if ": " in line]
    assert len(figures) >= 8 and any("topic Verkehr:" in line for line in figures)
    columns = {len(line) - len(line.split(": ", 1)[1].lstrip()) for line in figures}
    assert len(columns) == 1, figures
