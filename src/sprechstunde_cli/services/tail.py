"""Follow a session's messages as they arrive, for `tail` in a second terminal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sprechstunde_cli.domain.messages import MessageRecord
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.rules import mask_address
from sprechstunde_cli.store import Store


class Change(StrEnum):
    MESSAGE = "message"  # a new message, in or out
    WITHDRAWAL = "withdrawal"  # the citizen deleted a message already shown
    EDIT = "edit"  # the citizen replaced the text of a message already shown


@dataclass(frozen=True)
class Seen:
    """A message `tail` shows: its masked citizen, and whether it is new, withdrawn or edited."""

    message: MessageRecord
    citizen: str  # masked address or display name of the thread's citizen
    change: Change = Change.MESSAGE


class Follower:
    """Hands out each message once, in order, starting with the last `lines` of the session;
    then each later withdrawal or edit of a message it handed out before."""

    def __init__(self, store: Store, session: SessionRecord, lines: int) -> None:
        self.store = store
        self.session = session
        self._last_id = store.message_id_before_last(session.id, lines)
        # Earlier changes show in the messages themselves.
        self._last_change = store.last_change(session.id)
        self._names: dict[int, str] = {}

    def new(self) -> list[Seen]:
        found = []
        for msg in self.store.messages(self.session.id, after_id=self._last_id):
            found.append(Seen(msg, self._citizen(msg.thread)))
            self._last_id = msg.id
        for number, msg in self.store.changed_after(self.session.id, self._last_change):
            self._last_change = number
            # A message handed out just now already shows its latest state.
            if not any(s.message.id == msg.id for s in found):
                change = Change.WITHDRAWAL if msg.withdrawn else Change.EDIT
                found.append(Seen(msg, self._citizen(msg.thread), change))
        return found

    def _citizen(self, thread: int) -> str:
        if thread not in self._names:
            info = self.store.thread(self.session.id, thread)
            self._names[thread] = mask_address(info.chat, info.display_name)
        return self._names[thread]
