"""A thread as the store knows it: its citizen's address and name, its claim, what was read.

Apart from store/threads.py, whose queries every command that opens the store imports: `threads`
and `followup --list` ask for no single thread, and each frozen dataclass costs a command's
start (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThreadInfo:
    """A thread's stored facts: number, the citizen's address and name, its claim, what is read."""

    session_id: str
    number: int
    chat: str  # the provider address: for providers only, never for display
    display_name: str
    claimed_by: str | None
    read_upto: int
