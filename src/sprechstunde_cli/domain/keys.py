"""Idempotency keys of the outbox, one function per occasion.

The same occasion always yields the same key, so an automatic text is queued at most once
however often intake or close runs, and a retried send carries the key the messenger already
saw (Matrix takes it as the transaction id, WAHA derives its message id from it). The formats
are stored in the outbox of every running session: never change one.
"""

from __future__ import annotations


def greeting(session_id: str, thread: int) -> str:
    return f"{session_id}:greeting:{thread}"


def last_call(session_id: str, thread: int) -> str:
    return f"{session_id}:last_call:{thread}"


def closing(session_id: str, thread: int) -> str:
    return f"{session_id}:closing:{thread}"


def call_refusal(session_id: str, call_id: str) -> str:
    return f"{session_id}:call:{call_id}"


def away(session_id: str, message_id: str) -> str:
    return f"{session_id}:away:{message_id}"


def unreadable(session_id: str, chat: str) -> str:
    """Once per citizen and session: asking again after every lost key would nag."""
    return f"{session_id}:unreadable:{chat}"


def media_too_large(session_id: str, message_id: str) -> str:
    """Once per refused file: the citizen learns why that photo did not arrive."""
    return f"{session_id}:too-large:{message_id}"


def reply(session_id: str, nonce: str) -> str:
    """An operator's reply: each is its own occasion, so the caller supplies a fresh nonce."""
    return f"{session_id}:reply:{nonce}"


def handoff(session_id: str, thread: int, department: str) -> str:
    """The citizen's confirmation that `department` answers by e-mail."""
    return f"{session_id}:handoff:{thread}:{department}"


def caption(key: str) -> str:
    """A caption a messenger sends as a message of its own (WAHA's voice notes carry none)."""
    return f"{key}:caption"
