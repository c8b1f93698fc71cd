"""A citizen revokes or edits their last message on the fake WAHA, as each engine shows it.

From WAHA's OpenAPI document (`WAMessageRevokedBody`, `WAMessageEditedBody`) and its engines:
the events name the message by its short key (`revokedMessageId`, `editedMessageId`); WEBJS
(and WPP) also send the message `before` and keep listing it as type "revoked"; NOWEB drops a
revoked message from its store, so the listing no longer has it; GOWS sends only the key.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.support.fakes.waha import FakeWaha, Msg


def _last_own(fake: FakeWaha, handle: str) -> Msg:
    who = fake.citizen(handle)
    mine = [i.msg for i in who.phone if not i.msg.from_me and not i.msg.revoked]
    assert mine, f"{handle} has sent nothing to revoke or edit"
    return mine[-1]


def revoke(fake: FakeWaha, handle: str) -> Msg:
    with fake.lock:
        msg = _last_own(fake, handle)
        before = fake.wamessage(msg, download=False)
        msg.revoked = True
        msg.body, msg.data, msg.mimetype, msg.filename = "", None, None, None
        if fake.engine == "NOWEB":
            fake.office.pop(msg.id, None)
        protocol = _protocol_message(fake, msg, "")
        after = fake.wamessage(msg, download=False) if fake.engine in ("WEBJS", "WPP") else protocol
        payload: dict[str, Any] = {"revokedMessageId": msg.wa_id, "after": after}
        if fake.engine in ("WEBJS", "WPP"):
            payload["before"] = before
    fake.emit("message.revoked", payload)
    return msg


def edit(fake: FakeWaha, handle: str, text: str) -> Msg:
    with fake.lock:
        msg = _last_own(fake, handle)
        msg.body = text
        payload = _protocol_message(fake, msg, text) | {"editedMessageId": msg.wa_id}
    fake.emit("message.edited", payload)
    return msg


def _protocol_message(fake: FakeWaha, msg: Msg, body: str) -> dict[str, Any]:
    """The revoke or edit itself: a message of its own, with its own id, in the same chat."""
    own = Msg(
        wa_id=secrets.token_hex(10).upper(),
        chat=msg.chat,
        from_me=False,
        ts=int(fake.time.now()),
        body=body,
        sender_name=msg.sender_name,
    )
    return fake.wamessage(own, download=False)
