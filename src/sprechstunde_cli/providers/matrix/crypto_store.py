"""nio's crypto store (its own SQLite file, through its peewee models): a purged room's keys.

nio has no call to forget a room's keys, so the rows are deleted here. The file runs with
`secure_delete` (nio sets it), so the freed pages are zeroed; its journal is a rollback
journal, removed at each commit, so no copy of a deleted key waits in a WAL.
"""

from __future__ import annotations

from nio.store import SqliteStore  # type: ignore[import-untyped]
from nio.store.models import (  # type: ignore[import-untyped]
    DeviceKeys,
    DeviceTrustState,
    Keys,
    MegolmInboundSessions,
    OlmSessions,
    OutgoingKeyRequests,
)


def delete_room_keys(store: SqliteStore, room_id: str) -> None:
    """Every Megolm room key of `room_id` (inbound; our outbound ones have their inbound copy
    here too) and every key request for the room."""
    with store.database.bind_ctx(store.models), store.database.atomic():
        MegolmInboundSessions.delete().where(MegolmInboundSessions.room_id == room_id).execute()
        OutgoingKeyRequests.delete().where(OutgoingKeyRequests.room_id == room_id).execute()


def delete_other_devices(store: SqliteStore, own_user: str) -> None:
    """Every device the office learnt of but its own (citizens' user ids, their devices' names
    and keys) and the Olm sessions with them: after a purge the store names no citizen. A
    citizen who writes again is looked up afresh, as on first contact."""
    with store.database.bind_ctx(store.models), store.database.atomic():
        devices = [d.id for d in DeviceKeys.select().where(DeviceKeys.user_id != own_user)]
        curves = [
            k.key
            for k in Keys.select().where(Keys.device.in_(devices), Keys.key_type == "curve25519")
        ]
        OlmSessions.delete().where(OlmSessions.sender_key.in_(curves)).execute()
        Keys.delete().where(Keys.device.in_(devices)).execute()
        DeviceTrustState.delete().where(DeviceTrustState.device.in_(devices)).execute()
        DeviceKeys.delete().where(DeviceKeys.id.in_(devices)).execute()


def room_key_count(store: SqliteStore, room_id: str) -> int:
    with store.database.bind_ctx(store.models):
        kept = MegolmInboundSessions.select().where(MegolmInboundSessions.room_id == room_id)
        return int(kept.count())
