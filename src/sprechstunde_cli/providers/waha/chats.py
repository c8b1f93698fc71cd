"""WhatsApp's chat ids as WAHA writes them: which are people, and the chat inside a message id.

Apart from `receive.py` because sending and read receipts need them too, and `show` or `reply`
load nothing of receiving.
"""

from __future__ import annotations

PERSON_SUFFIXES = ("@c.us", "@lid")  # one-to-one chats; groups, status and channels are ignored


def is_person(chat: object) -> bool:
    return isinstance(chat, str) and chat.endswith(PERSON_SUFFIXES)


def raw_chat_of(message_id: str) -> str | None:
    """The chat inside `{fromMe}_{chatId}_{id}[_{participant}]`, or None for other ids."""
    head, _, rest = message_id.partition("_")
    chat, _, wa_id = rest.partition("_")
    if head not in ("true", "false") or not wa_id or not is_person(chat):
        return None
    return chat


def message_key(message_id: str) -> str:
    """The message's own key in `{fromMe}_{chatId}_{key}[_{participant}]` (the id itself when it
    is a bare key): the same message under a person's @c.us and @lid ids has one key. The
    office's own messages (`true_…`) share the key scheme; receiving drops them before any key
    is compared."""
    head, _, rest = message_id.partition("_")
    if head not in ("true", "false"):
        return message_id
    _chat, _, tail = rest.partition("_")
    return tail.partition("_")[0] or message_id
