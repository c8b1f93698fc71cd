"""What operators do to threads: list, claim, release (read: services/reading.py; a reply:
services/reply.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.rules import by_waiting_time

if TYPE_CHECKING:
    from sprechstunde_cli.domain.page import ThreadPage
    from sprechstunde_cli.domain.rows import ThreadRow
    from sprechstunde_cli.store import Store


def thread_list(store: Store, session: SessionRecord) -> list[ThreadRow]:
    """Every thread of the session, longest-waiting first."""
    return by_waiting_time(store.thread_rows(session.id))


def thread_page(store: Store, session: SessionRecord, limit: int) -> ThreadPage:
    """The first `limit` threads, longest-waiting first, and how many there are: one screen."""
    return store.thread_page(session.id, limit)


def claim(
    store: Store, session: SessionRecord, number: int, operator: str, now: datetime, *, force: bool
) -> None:
    """Claim a thread so other operators see who answers it (`force`: take it over)."""
    store.claim(session.id, number, operator, now, force=force)


def release(
    store: Store, session: SessionRecord, number: int, operator: str, *, force: bool
) -> None:
    """Give a claim up (`force`: someone else's)."""
    store.release(session.id, number, operator, force=force)
