"""What storing a citizen's message, or a change to one, did: for intake (services/).

Apart from store/threads.py and store/messages.py, whose queries every command that reads the
store imports: only intake stores citizens' messages, and each frozen dataclass costs the start
of every command that imports its module (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inserted:
    """Where a stored citizen message went: its id, its thread, and whether that thread is new."""

    message_id: int
    thread: int
    new_thread: bool
    # The thread had been answered and was not waiting: the citizen came back (a notification).
    resumed: bool = False


@dataclass(frozen=True)
class Changed:
    """A stored citizen message a withdrawal or edit applies to."""

    message_id: int
    thread: int
    media_path: str | None  # the file to delete with a withdrawal
