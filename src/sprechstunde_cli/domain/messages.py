"""A stored message as services and views see it, and the facts of its file.

Apart from domain/model.py: `threads` and `reply` read no message, and each frozen dataclass
costs the start of every command that imports its module (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose


@dataclass(frozen=True)
class MediaInfo:
    """A stored photo, voice note or file: its type, size, and its file in the session's folder."""

    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds
    path: str | None = None  # inside the session's media folder; never a citizen-given name
    name: str = ""  # the file name the citizen gave it: display-only, never a path


@dataclass(frozen=True)
class MessageRecord:
    """One message of a thread as the store keeps it, in or out, with its file if it has one."""

    id: int
    session_id: str
    thread: int
    direction: Direction
    kind: MessageKind
    body: str
    at: datetime
    purpose: Purpose | None = None
    operator: str | None = None
    media: MediaInfo | None = None
    # The citizen deleted it: the row keeps only that (body and media are gone).
    withdrawn: bool = False
    edited: bool = False  # the body is the citizen's latest version of it
