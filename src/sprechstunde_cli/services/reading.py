"""Reading a thread: its messages, marked read here and, for the citizen, at the messenger.

Apart from services/threads.py (list, claim, release) so that `threads` does not load what only
`show` needs (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.messages import MessageRecord
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.rules import mask_address
from sprechstunde_cli.errors import ProviderError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.store import Store


@dataclass(frozen=True)
class ThreadView:
    """One thread as `show` prints it: the masked citizen and the thread's messages."""

    number: int
    citizen: str  # masked address or display name: still citizen-controlled
    messages: list[MessageRecord]
    problem: str | None  # why no read receipt went out, if one should have
    left: bool = False  # the citizen left the chat or blocked the office


def read_thread(
    store: Store,
    session: SessionRecord,
    number: int,
    messenger: Callable[[], Provider] | None = None,
) -> ThreadView:
    """Return a thread with its messages and mark them read, here and, where the messenger
    shows read receipts, for the citizen too (only once an operator has really read them).
    `messenger` builds the session's messenger: only when there is a receipt to send, so
    reading a thread again needs none (its settings, its client, its connection)."""
    info = store.thread(session.id, number)
    unseen = store.unread_provider_ids(session.id, number)
    messages = store.messages(session.id, thread=number)
    if messages:
        store.mark_read(session.id, number, messages[-1].id)
    problem = _read_receipt(messenger, info.chat, unseen) if messenger and unseen else None
    citizen = mask_address(info.chat, info.display_name)
    return ThreadView(number, citizen, messages, problem, store.has_left(session.id, number))


def _read_receipt(messenger: Callable[[], Provider], chat: str, unseen: list[str]) -> str | None:
    """Tell the citizen's client that the office read `unseen`; why not, if that failed."""
    with messenger() as provider:
        if not provider.capabilities.mark_read:
            return None
        try:
            provider.mark_read(chat, unseen)
        except ProviderError as err:
            return err.message  # a missing read receipt is not worth failing `show` for
    return None
