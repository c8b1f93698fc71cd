"""A citizen's revoke and edit as WAHA pushes them (`message.revoked`, `message.edited`).

The events name the changed message by its short key (`revokedMessageId`, `editedMessageId`);
the office stored it under WAHA's serialized id `false_{chat}_{key}`, where the chat is the id
WAHA showed then (@c.us or @lid). So one change is handed out for each id of the person we
know: the store applies the one it has and ignores the rest. WEBJS also sends the message
`before`, whose id is the serialized one itself.
"""

from __future__ import annotations

from typing import Any

from sprechstunde_cli.providers.base.events import Event, InboundEdit, InboundWithdrawal
from sprechstunde_cli.providers.waha.chats import is_person
from sprechstunde_cli.providers.waha.cursor import Cursor
from sprechstunde_cli.providers.waha.receive import Poller, moment


def convert(poller: Poller, state: Cursor, event: str, payload: dict[str, Any]) -> list[Event]:
    """The changes one envelope's payload stands for; [] for anything not a citizen's."""
    if event == "message.revoked":
        return _revoked(poller, state, payload)
    if event == "message.edited":
        return _edited(poller, state, payload)
    return []


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _revoked(poller: Poller, state: Cursor, payload: dict[str, Any]) -> list[Event]:
    before, after = _obj(payload.get("before")), _obj(payload.get("after"))
    shown = after or before
    sender = shown.get("from")
    if shown.get("fromMe") is True or not is_person(sender):
        return []  # our own revoke (the purge), or a group's
    assert isinstance(sender, str)
    chat = poller.canonical(state, sender)
    ids = set(_serialized(poller, chat, sender, payload.get("revokedMessageId")))
    if isinstance(before.get("id"), str) and before.get("fromMe") is not True:
        ids.add(before["id"])
    at = moment(shown)
    return [InboundWithdrawal(target, chat, at) for target in sorted(ids)]


def _edited(poller: Poller, state: Cursor, payload: dict[str, Any]) -> list[Event]:
    sender = payload.get("from")
    body = payload.get("body")
    if payload.get("fromMe") is True or not is_person(sender) or not isinstance(body, str):
        return []
    assert isinstance(sender, str)
    chat = poller.canonical(state, sender)
    at = moment(payload)
    ids = _serialized(poller, chat, sender, payload.get("editedMessageId"))
    return [InboundEdit(target, chat, at, body) for target in ids]


def _serialized(poller: Poller, chat: str, sender: str, key: Any) -> list[str]:
    """`false_{id}_{key}` for every id under which we know this person."""
    if not isinstance(key, str) or not key:
        return []
    if key.startswith(("false_", "true_")):
        return [key]  # an engine that names the message by its serialized id already
    return poller.serialized(chat, sender, key)
