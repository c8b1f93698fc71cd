"""Memory: peak RSS of `sprechstunde open` taking in 20,000 messages, with its live view.

    .venv/bin/python -m bench.memory [--messages 20000] [--threads 2000]

The local messenger holds the messages when `open` starts, in a pseudo-terminal so the live
view renders as it would for a person. When the store holds them all (and the greetings are
out), `open` gets Ctrl-C; the peak resident set size comes from the kernel (wait4's rusage).
Target ≤ 120 MB. A report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._world import hour_now, machine
from sprechstunde_cli.providers.local.server import LocalMessenger

SCRIPT = str(Path(sys.executable).parent / "sprechstunde")


def stored(db: Path) -> tuple[int, int]:
    """(citizen messages stored, outbox rows still to send), read without the app's code."""
    if not db.exists():
        return 0, 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        inbound = conn.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()
        waiting = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
        ).fetchone()
        return int(inbound[0]), int(waiting[0])
    except sqlite3.OperationalError:
        return 0, 0
    finally:
        conn.close()


SCREEN = bytearray()  # the last screenful `open` drew, to show the live view really ran


def drain(fd: int) -> None:
    try:
        while chunk := os.read(fd, 65536):
            SCREEN.extend(chunk)
            del SCREEN[: max(0, len(SCREEN) - 65536)]
    except (BlockingIOError, OSError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2_000)
    args = parser.parse_args()
    print(f"memory · open with {args.messages} messages in {args.threads} threads · {machine()}")
    with tempfile.TemporaryDirectory(prefix="sprechstunde-bench-") as tmp:
        base = Path(tmp)
        config, _ = hour_now(base, poll=0.05)
        data = base / "data"
        messenger = LocalMessenger(data / "local-messenger.db")
        for n in range(args.messages):
            messenger.citizen_send(
                f"+49 000 {n % args.threads:07d}",
                f"Frage {n}: Wann wird der Spielplatz an der Parkstraße endlich saniert? Danke!",
            )
        messenger.close()
        env = {
            **os.environ,
            "SPRECHSTUNDE_CONFIG": str(config),
            "SPRECHSTUNDE_DATA_DIR": str(data),
            "SPRECHSTUNDE_OPERATOR": "bench",
            "COLUMNS": "120",
            "LINES": "40",
            "TERM": "xterm-256color",
        }
        env.pop("NO_COLOR", None)
        leader, follower = pty.openpty()
        os.set_blocking(leader, False)
        started = time.perf_counter()
        proc = subprocess.Popen(
            [SCRIPT, "open"], env=env, stdin=follower, stdout=follower, stderr=follower
        )
        os.close(follower)
        db = data / "sprechstunde.db"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            drain(leader)
            inbound, waiting = stored(db)
            if inbound >= args.messages and waiting == 0:
                break
            time.sleep(0.2)
        took = time.perf_counter() - started
        proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 30
        rusage = None
        while time.monotonic() < deadline:
            drain(leader)
            pid, _, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        os.close(leader)
        inbound, _ = stored(db)
    if rusage is None:
        proc.kill()
        print("  FAILED: open did not stop after Ctrl-C")
        return
    peak = rusage.ru_maxrss / 1024  # kilobytes on Linux
    live = f"{args.threads} threads" in SCREEN.decode(errors="replace")
    print(f"  live view drawn in the pseudo-terminal: {'yes' if live else 'NO'}")
    print(
        f"  {inbound} messages stored in {took:.1f} s; peak RSS {peak:.1f} MB   "
        f"target ≤ 120 MB  {'PASS' if peak <= 120 and inbound >= args.messages else 'MISS'}"
    )


if __name__ == "__main__":
    main()
