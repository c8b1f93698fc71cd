"""What the office sends into an encrypted room: the room key shared over Olm with every device
of the room's members first (a device new since the last share gets a fresh room key), then the
event encrypted with Megolm. nio builds every body; this module only decides when."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, q

if TYPE_CHECKING:
    # Annotations only: nio loads when the device is started, not with this module.
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice


def encrypt(device: OfficeDevice, room_id: str, event_type: str, content: JSON) -> JSON:
    """`m.room.encrypted` content for `room_id`."""
    olm = device.olm
    members = _members(device, room_id)
    new = set(members) - olm.tracked_users
    olm.tracked_users.update(new)
    olm.users_for_key_query.update(new)
    device.query_keys()
    # Another process (`open`, `reply`) may have moved an Olm session on: use the stored one.
    olm.session_store = device.store.load_sessions()
    device.claim(olm.get_missing_sessions(members))
    if olm.should_share_group_session(room_id) or _unshared(device, room_id, members):
        if not olm.should_share_group_session(room_id):
            olm.create_outbound_group_session(room_id)  # a new device: a new room key
        for _, messages in olm.share_group_session_parallel(
            room_id, members, ignore_unverified_devices=True
        ):
            device.to_device("m.room.encrypted", events.obj(messages.get("messages")))
        session = olm.outbound_group_sessions[room_id]
        session.shared = True
        session.users_shared_with.update(_devices(device, members))
    return cast(JSON, olm.group_encrypt(room_id, {"type": event_type, "content": content}))


def _devices(device: OfficeDevice, members: list[str]) -> set[tuple[str, str]]:
    """The members' devices the office has an Olm session with (so could give a room key)."""
    olm = device.olm
    return {
        (user, found.id)
        for user in members
        for found in olm.device_store.active_user_devices(user)
        if found.id != device.device_id and olm.session_store.get(found.curve25519)
    }


def _unshared(device: OfficeDevice, room_id: str, members: list[str]) -> bool:
    session = device.olm.outbound_group_sessions.get(room_id)
    if session is None:
        return True
    done = session.users_shared_with | session.users_ignored
    return bool(_devices(device, members) - done)


def _members(device: OfficeDevice, room_id: str) -> list[str]:
    body = device.api.call(
        "GET", f"{CLIENT}/rooms/{q(room_id)}/joined_members", _("the room's members")
    )
    return sorted(u for u in events.obj(body.get("joined")) if isinstance(u, str))
