"""The content-free counters a session keeps for `stats` and the receipt, by name.

They outlive the purge: numbers only, never who or what.
"""

from __future__ import annotations

from enum import StrEnum

from sprechstunde_cli.domain.model import MessageKind, Purpose


class Counter(StrEnum):
    CALLS_REFUSED = "calls_refused"
    # Arrived outside the hour (after it, or sent between hours before the opening and its
    # early window): away reply, not kept.
    LATE_MESSAGES = "late_messages"
    TEXTS_TRUNCATED = "texts_truncated"  # longer than hour.max_message_chars
    # Written between hours and answered by `standby` (counted for the session that followed):
    # away text once per sender, deleted at the messenger, nothing kept.
    BETWEEN_HOURS = "between_hours"
    RECEIVED_TEXT = "received_text"
    RECEIVED_IMAGE = "received_image"
    RECEIVED_VOICE = "received_voice"
    RECEIVED_FILE = "received_file"
    WITHDRAWN = "withdrawn_by_citizen"  # deleted by the citizen: content dropped at once
    EDITED = "edited_by_citizen"  # replaced by the citizen: only the latest version kept
    UNSHOWABLE = "received_unshowable"  # a sticker, poll, contact …: kept as a labelled line
    SENT_GREETING = "sent_greeting"
    SENT_REPLY = "sent_reply"
    SENT_AWAY = "sent_away"
    SENT_CALL_REFUSAL = "sent_call_refusal"
    SENT_LAST_CALL = "sent_last_call"
    SENT_CLOSING = "sent_closing"
    SENT_HANDOFF = "sent_handoff"
    SENT_MEDIA_TOO_LARGE = "sent_media_too_large"
    SENT_UNREADABLE = "sent_unreadable"

    @classmethod
    def received(cls, kind: MessageKind) -> Counter:
        return cls(f"received_{kind.value}")

    @classmethod
    def sent(cls, purpose: Purpose) -> Counter:
        return cls(f"sent_{purpose.value}")


RECEIVED = tuple(Counter.received(kind) for kind in MessageKind)
