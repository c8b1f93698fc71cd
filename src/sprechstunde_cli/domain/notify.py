"""What `open` tells the operator about while it runs: a citizen who wrote, as a value.

An arrival is a new thread, or a new message in a thread the office had answered (the citizen
came back). `preview` is the message's first words, kept in memory only; a notification quotes
it only when `hour.notify_content` says so (render/notices.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arrival:
    """A citizen who wrote: a new thread, or a message in an answered one, for `open` to notify."""

    thread: int
    new_thread: bool  # else: a new message in a thread that was answered
    preview: str = ""
