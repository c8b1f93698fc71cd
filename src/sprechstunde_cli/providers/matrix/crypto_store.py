"""nio's crypto store (its own SQLite file, through its peewee models): a purged room's keys.

nio has no call to forget a room's keys, so the rows are deleted here. The file runs with
`secure_delete` (nio sets it), so the freed pages are zeroed; its journal is a rollback
journal, removed at each commit, so no copy of a deleted key waits in a WAL.
"""

from __future__ import annotations

from nio.store import SqliteStore  # type: ignore[import-untyped]
from nio.store.models import (  # type: ignore[import-untyped]
    MegolmInboundSessions,
    OutgoingKeyRequests,
)


def delete_room_keys(store: SqliteStore, room_id: str) -> None:
    """Every Megolm room key of `room_id` (inbound; our outbound ones have their inbound copy
    here too) and every key request for the room."""
    with store.database.bind_ctx(store.models), store.database.atomic():
        MegolmInboundSessions.delete().where(MegolmInboundSessions.room_id == room_id).execute()
        OutgoingKeyRequests.delete().where(OutgoingKeyRequests.room_id == room_id).execute()


def room_key_count(store: SqliteStore, room_id: str) -> int:
    with store.database.bind_ctx(store.models):
        kept = MegolmInboundSessions.select().where(MegolmInboundSessions.room_id == room_id)
        return int(kept.count())
