"""What a provider hands the hour when it receives: citizens' messages, calls, withdrawals,
edits, leavings, and the batch with its cursor.

Apart from the protocol (`providers/base/__init__.py`) because only receiving needs them:
`show`, `reply` and `followup` open a messenger without creating these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprechstunde_cli.domain.model import MessageKind


@dataclass(frozen=True)
class MediaRef:
    """A citizen's file as the messenger announces it, before it is downloaded."""

    ref: str  # opaque, provider-specific handle for download_media
    mime: str
    size: int | None
    filename: str  # as the citizen sent it: hostile, never used as a path
    duration: float | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A message a citizen sent, as the messenger handed it over; every text in it is hostile."""

    provider_id: str  # unique per provider account; the store dedups on it
    chat: str  # the citizen's address at the provider; never shown unmasked
    sender_name: str  # as the citizen set it: hostile
    sent_at: datetime
    kind: MessageKind
    text: str  # body or caption: hostile
    media: MediaRef | None = None
    # A kind the office cannot show (sticker, poll, contact …): `text` is a labelled line for
    # it; counted, never dropped.
    unshowable: bool = False


@dataclass(frozen=True)
class InboundCall:
    """A citizen's call: declined where the messenger can, and answered with the call refusal."""

    provider_id: str
    chat: str
    sender_name: str
    at: datetime
    video: bool = False


@dataclass(frozen=True)
class InboundWithdrawal:
    """The citizen deleted one of their messages for everyone (redaction, revoke)."""

    target: str  # the provider_id of the withdrawn message
    chat: str
    at: datetime


@dataclass(frozen=True)
class InboundEdit:
    """The citizen replaced the text of one of their messages; only the latest counts."""

    target: str  # the provider_id of the edited message
    chat: str
    at: datetime
    text: str  # the new body or caption: hostile


@dataclass(frozen=True)
class InboundLeft:
    """The citizen left the conversation or blocked the office: answers no longer reach them."""

    chat: str
    at: datetime


@dataclass(frozen=True)
class InboundUnreadable:
    """A message the office still cannot read after waiting for it (end-to-end encrypted, its
    key never came): the citizen is asked, once, to send it again."""

    target: str  # the provider_id of the message shown as unreadable
    chat: str
    at: datetime


Event = (
    InboundMessage | InboundCall | InboundWithdrawal | InboundEdit | InboundLeft | InboundUnreadable
)


@dataclass(frozen=True)
class ReceiveBatch:
    """What one receive() returned: the events, where to go on once they are stored, problems."""

    events: tuple[Event, ...]
    # Pass this to the next receive() only after the events are committed to the store.
    cursor: str
    # What the operator should know about the messenger itself (e.g. calls go unseen), said
    # once when it starts and once when it ends; content-free.
    problems: tuple[str, ...] = ()
