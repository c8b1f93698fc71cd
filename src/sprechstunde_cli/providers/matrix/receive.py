"""Receiving from Matrix: a /sync long-poll with a cursor, invites joined, gaps filled.

A room's timeline in one sync may be cut ("limited"); the gap is filled from /messages back to
where the cursor was, or to the room's creation for a room new to the office, so no citizen
message is lost between two syncs or across a restart.
"""

from __future__ import annotations

import heapq
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.base import foreign_reference
from sprechstunde_cli.providers.base.events import Event, InboundMessage, ReceiveBatch
from sprechstunde_cli.providers.matrix import e2e_receive, events
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, MatrixApi, q
from sprechstunde_cli.providers.matrix.rooms import Rooms

if TYPE_CHECKING:
    # Annotations only: nio loads when the device is started, not with this module.
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice

TIMELINE_LIMIT = 50
BACKFILL_PAGE = 100
MAX_BACKFILL_PAGES = 50  # 5,000 events per room and sync: a bound, not a real limit
SYNC_GRACE = 30.0  # the HTTP timeout beyond the long-poll's own


class Receiver:
    def __init__(
        self, api: MatrixApi, rooms: Rooms, own_user: str, timer: Timer, timeline_limit: int
    ) -> None:
        self.api = api
        self.rooms = rooms
        self.own_user = own_user
        self.timer = timer
        self._filter = events.sync_filter(timeline_limit)
        self._looked_for_invites = False
        self.device: OfficeDevice | None = None  # set once the account's device is known
        self.unreadable_after = 120.0

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        if cursor and not self._looked_for_invites:
            # A restarted process: invites seen before the crash are no longer in the stream.
            self.rooms.find_pending_invites()
        self._looked_for_invites = True
        deadline = self.timer.monotonic() + max(0.0, wait)
        since = cursor or None
        while True:
            left = max(0.0, deadline - self.timer.monotonic())
            body = self._sync(since, left)
            if self.device is not None:
                self.device.absorb(body)  # room keys first: a message may need one
            joined = self.rooms.accept_invites(
                events.obj(events.obj(body.get("rooms")).get("invite"))
            )
            found = self._events(body, since)
            since = body["next_batch"]
            if found:
                return ReceiveBatch(tuple(found), since)
            # A room joined just now shows its history in the very next sync: fetch it at once.
            if not joined and self.timer.monotonic() >= deadline:
                return ReceiveBatch((), since)

    def _sync(self, since: str | None, wait: float) -> JSON:
        params: dict[str, str | int] = {"filter": self._filter, "timeout": int(wait * 1000)}
        if since:
            params["since"] = since
        try:
            body = self.api.call(
                "GET", f"{CLIENT}/sync", _("the sync"), params=params, timeout=wait + SYNC_GRACE
            )
        except http.Refused as err:
            if since and err.status == 400:
                raise foreign_reference(_("cursor")) from None
            raise
        if not isinstance(body.get("next_batch"), str) or not body["next_batch"]:
            raise http.ServerFailed(
                _("The Matrix homeserver's sync answer has no next_batch token."),
                _("Check that providers.matrix.homeserver is a Matrix homeserver; it is retried."),
                retryable=True,
            )
        return body

    def _events(self, body: JSON, since: str | None) -> list[Event]:
        per_room: list[list[Event]] = []
        joined = events.obj(events.obj(body.get("rooms")).get("join"))
        for room_id, room in joined.items():
            if not isinstance(room_id, str) or room_id == self.rooms.broadcast_id:
                continue
            room = events.obj(room)
            timeline = events.obj(room.get("timeline"))
            raw = events.items(timeline.get("events"))
            names = self.rooms.names(room_id)
            state = events.items(events.obj(room.get("state")).get("events"))
            events.remember_names(names, state + raw)
            starts = any(e.get("type") == "m.room.create" for e in raw)
            if (
                timeline.get("limited")
                and not starts
                and isinstance(timeline.get("prev_batch"), str)
            ):
                # A gap: page back to where we were, or to the room's start if it is new to us.
                fresh = since is None or any(
                    events.is_own_join(e, self.own_user) for e in state + raw
                )
                raw = (
                    self._backfill(room_id, timeline["prev_batch"], None if fresh else since) + raw
                )
            if self.device is not None:
                raw = e2e_receive.decrypted(self.device, room_id, state, raw)
            found: list[Event] = []
            for event in raw:
                sender = events.text(event.get("sender"))
                converted = events.convert(
                    room_id, event, self.own_user, self.rooms.name(room_id, sender)
                )
                if converted is not None:
                    found.append(converted)
            per_room.append(found)
        if self.device is not None:
            per_room.append(e2e_receive.late(self.device, self.rooms.name, self.unreadable_after))
        # Threads are numbered in order of first contact: interleave the rooms by time, while
        # each room keeps its own timeline order (the server's, not the senders' clocks).
        return list(heapq.merge(*per_room, key=_moment))

    def _backfill(self, room_id: str, start: str, stop: str | None) -> list[dict[str, Any]]:
        """Events before `start` back to `stop` (or the room's creation), oldest first."""
        older: list[dict[str, Any]] = []
        params: dict[str, str | int] = {
            "dir": "b",
            "from": start,
            "limit": BACKFILL_PAGE,
            "filter": json.dumps(events.room_filter(BACKFILL_PAGE)),
        }
        if stop:
            params["to"] = stop
        names = self.rooms.names(room_id)
        for _page in range(MAX_BACKFILL_PAGES):
            page = self.api.call(
                "GET", f"{CLIENT}/rooms/{q(room_id)}/messages", _("the history"), params=params
            )
            chunk = events.items(page.get("chunk"))
            events.remember_names(names, events.items(page.get("state")))
            events.remember_names(names, chunk)
            older.extend(chunk)
            end = page.get("end")
            if (
                not chunk
                or not isinstance(end, str)
                or any(e.get("type") == "m.room.create" for e in chunk)
            ):
                break
            params["from"] = end
        return older[::-1]


def _moment(event: Event) -> datetime:
    return event.sent_at if isinstance(event, InboundMessage) else event.at
