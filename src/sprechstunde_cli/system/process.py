"""This process as another process would name it: its id and host, and whether an id lives."""

from __future__ import annotations

import os
import socket


def identity() -> tuple[int, str]:
    return os.getpid(), socket.gethostname()


def alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (signal 0 only asks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True
