"""What WAHA's event stream pushed, as events: calls, and a citizen's revokes and edits.

Messages themselves come by polling (`receive.py`); the stream only wakes a waiting poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sprechstunde_cli.providers.base.events import Event, InboundCall, InboundWithdrawal
from sprechstunde_cli.providers.waha import changes
from sprechstunde_cli.providers.waha.chats import is_person, message_key
from sprechstunde_cli.providers.waha.cursor import Cursor
from sprechstunde_cli.providers.waha.receive import Poller, moment


def take(
    envelopes: Iterable[dict[str, Any]],
    session: str,
    poller: Poller,
    state: Cursor,
    calls: dict[str, tuple[str, str]],
) -> list[Event]:
    """The events of this WAHA session's envelopes; each call is remembered in `calls` (our
    call id → WAHA's from and call id) so that it can be rejected."""
    found: list[Event] = []
    for envelope in envelopes:
        payload = envelope.get("payload")
        if envelope.get("session") != session or not isinstance(payload, dict):
            continue
        if envelope.get("event") != "call.received":
            changed = changes.convert(poller, state, str(envelope.get("event")), payload)
            revoked = poller.revoked
            # Once is enough: a listing may have shown the revoke first.
            changed = [
                e
                for e in changed
                if not isinstance(e, InboundWithdrawal) or message_key(e.target) not in revoked
            ]
            # A message revoked before our poll listed it must not be taken in after all.
            revoked.update(
                message_key(e.target) for e in changed if isinstance(e, InboundWithdrawal)
            )
            found += changed
            continue
        sender, call_id = payload.get("from"), payload.get("id")
        if not is_person(sender) or not isinstance(call_id, str) or payload.get("isGroup"):
            continue
        assert isinstance(sender, str)
        provider_id = f"call:{call_id}"
        calls[provider_id] = (sender, call_id)
        found.append(
            InboundCall(
                provider_id=provider_id,
                chat=poller.canonical(state, sender),
                sender_name="",
                at=moment(payload),
                video=payload.get("isVideo") is True,
            )
        )
    return found
