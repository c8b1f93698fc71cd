"""What a citizen does to what they already sent: withdraw it, edit it, leave the chat.

A citizen's own deletion wins, at once: the stored body, caption and file go in the transaction
that takes the withdrawal in (the file right after it), and a hand-off not yet out is quoted
again from what still stands. An edit keeps only the latest version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.store import Connection, Store, handoffs

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base.events import (
        InboundEdit,
        InboundLeft,
        InboundWithdrawal,
    )


@dataclass
class Changes:
    """What one batch changed; `files` are deleted once the batch's transaction is over."""

    withdrawn: int = 0
    edited: int = 0
    left: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    threads: set[int] = field(default_factory=set)


def withdraw(
    store: Store, conn: Connection, session_id: str, event: InboundWithdrawal, changes: Changes
) -> None:
    found = store.withdraw(conn, session_id, event.target, event.chat, event.at)
    if found is None:
        return  # never stored (or already withdrawn): nothing of it is kept
    changes.withdrawn += 1
    changes.threads.add(found.thread)
    if found.media_path:
        changes.files.append(found.media_path)
    store.bump(conn, session_id, Counter.WITHDRAWN)


def edit(
    store: Store,
    conn: Connection,
    session_id: str,
    event: InboundEdit,
    body: str,
    changes: Changes,
) -> None:
    found = store.edit(conn, session_id, event.target, event.chat, body, event.at)
    if found is None:
        return
    changes.edited += 1
    changes.threads.add(found.thread)
    store.bump(conn, session_id, Counter.EDITED)


def left(
    store: Store, conn: Connection, session_id: str, event: InboundLeft, changes: Changes
) -> None:
    number = store.left(conn, session_id, event.chat, event.at)
    if number is not None:
        changes.left.append(number)


def requote(store: Store, conn: Connection, session_id: str, changes: Changes) -> None:
    """Quote the changed threads' hand-offs again from what their citizens still stand by."""
    for number in sorted(changes.threads):
        handoffs.requote(store, conn, session_id, number, question_of(store, session_id, number))


def remove_files(changes: Changes) -> None:
    for path in changes.files:
        Path(path).unlink(missing_ok=True)
    changes.files.clear()


def question_of(store: Store, session_id: str, number: int) -> str:
    """The citizen's own text messages of the thread: no media, no office messages, nothing
    withdrawn, each in its latest version."""
    texts = [
        m.body.strip()
        for m in store.messages(session_id, thread=number)
        if m.direction is Direction.IN
        and m.kind is MessageKind.TEXT
        and not m.withdrawn
        and m.body.strip()
    ]
    return "\n\n".join(texts)
