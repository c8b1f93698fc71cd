"""Room-level calls of the office account: invites, names, events, files, redaction, leaving."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.http import HttpError
from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, MatrixApi, gone, q


class Rooms:
    def __init__(self, api: MatrixApi, own_user: str, timer: Timer) -> None:
        self.api = api
        self.own_user = own_user
        self.timer = timer
        self._names: dict[str, dict[str, str]] = {}
        self._pending: set[str] = set()
        self._joins_not_before = 0.0  # monotonic: a rate-limited join waits as it was told
        self.broadcast_id: str | None = None

    # --- invites --------------------------------------------------------------------------

    def find_pending_invites(self) -> None:
        body = self.api.call(
            "GET",
            f"{CLIENT}/sync",
            _("the invite check"),
            params={"filter": events.INVITES_ONLY_FILTER, "timeout": 0},
        )
        invites = events.obj(events.obj(body.get("rooms")).get("invite"))
        self._pending.update(r for r in invites if isinstance(r, str))

    def accept_invites(self, invites: dict[str, Any]) -> bool:
        """Join every room the office was invited to; True if any was joined now."""
        self._pending.update(r for r in invites if isinstance(r, str))
        joined = False
        if self.timer.monotonic() < self._joins_not_before:
            return False  # the server asked to wait; the invites stay pending
        for room_id in sorted(self._pending):
            try:
                self.api.call("POST", f"{CLIENT}/join/{q(room_id)}", _("joining a chat"), json={})
            except HttpError as err:
                if err.retryable and err.retry_after > 0:
                    # Rate limited: no more joins (of any room) until the wait is over.
                    self._joins_not_before = self.timer.monotonic() + err.retry_after
                    break
                if err.retryable:
                    continue  # stays pending: tried again on the next receive
                # Withdrawn, or the room is gone: nothing to join any more.
            else:
                joined = True
            self._pending.discard(room_id)
        return joined

    # --- names ----------------------------------------------------------------------------

    def names(self, room_id: str) -> dict[str, str]:
        return self._names.setdefault(room_id, {})

    def name(self, room_id: str, user_id: str) -> str:
        names = self.names(room_id)
        if user_id and user_id != self.own_user and user_id not in names:
            try:
                member = self.api.call(
                    "GET",
                    f"{CLIENT}/rooms/{q(room_id)}/state/m.room.member/{q(user_id)}",
                    _("a display name"),
                )
            except HttpError as err:
                if err.retryable:
                    raise
                member = {}
            names[user_id] = events.text(member.get("displayname"))[: events.MAX_NAME_CHARS]
            names[user_id] = names[user_id].strip()
        return names.get(user_id, "")

    # --- events and files -----------------------------------------------------------------

    def event(self, room_id: str, event_id: str) -> JSON | None:
        """The event as the office sees it now; None if it is gone or no longer visible."""
        try:
            return self.api.call(
                "GET", f"{CLIENT}/rooms/{q(room_id)}/event/{q(event_id)}", _("an event lookup")
            )
        except HttpError as err:
            if err.status in (403, 404) and not err.retryable:
                return None
            raise

    def download(self, mxc: str, max_bytes: int) -> bytes:
        parts = events.split_mxc(mxc)
        assert parts is not None
        server, media_id = parts
        tail = f"{q(server)}/{q(media_id)}"
        try:
            return self.api.download(
                f"/_matrix/client/v1/media/download/{tail}", _("the file download"), max_bytes
            )
        except HttpError as err:
            if err.code != "M_UNRECOGNIZED":
                if gone(err):
                    raise ProviderError(
                        _("The file is no longer on the Matrix homeserver."),
                        _("Ask the citizen to send it again."),
                    ) from None
                raise
        # A homeserver older than Matrix 1.11 has no authenticated media: the legacy path.
        return self.api.download(
            f"/_matrix/media/v3/download/{tail}", _("the file download"), max_bytes
        )

    # --- deletion -------------------------------------------------------------------------

    def redact(self, room_id: str, event_ids: Sequence[str]) -> DeleteOutcome:
        """Redact each event for everyone in the room.

        A rate limit or server error is raised (retryable) rather than reported: the caller
        waits as asked and calls again, and the fixed txn ids make the redactions already
        done answer from the server's cache instead of stacking up new ones.
        """
        confirmed = 0
        failures: list[str] = []
        for event_id in event_ids:
            path = f"{CLIENT}/rooms/{q(room_id)}/redact/{q(event_id)}/{q('redact.' + event_id)}"
            try:
                self.api.call("PUT", path, _("a redaction"), json={})
                confirmed += 1
            except HttpError as err:
                if err.retryable:
                    raise
                if gone(err):
                    confirmed += 1  # purged already: nothing left to redact
                elif err.status == 403:
                    failures.append(_("the office may not redact in one chat (power level)"))
                else:
                    failures.append(err.message)
        return DeleteOutcome(len(event_ids), confirmed, tuple(dict.fromkeys(failures)))

    def is_joined(self, room_id: str) -> bool:
        joined = self.api.call("GET", f"{CLIENT}/joined_rooms", _("the list of chats"))
        rooms = joined.get("joined_rooms")
        return isinstance(rooms, list) and room_id in rooms

    def leave_and_forget(self, room_id: str) -> None:
        """Leave the room and forget it; neither deletes anything on the server."""
        for step in ("leave", "forget"):
            try:
                self.api.call(
                    "POST", f"{CLIENT}/rooms/{q(room_id)}/{step}", _("leaving a chat"), json={}
                )
            except HttpError as err:
                if not gone(err) and err.status != 403:
                    raise
        if self.is_joined(room_id):
            raise ProviderError(
                _("The office account is still in a chat it left."),
                _("Run the purge again; if it persists, leave the room in a Matrix app."),
            )
        self._names.pop(room_id, None)

    # --- the broadcast room ---------------------------------------------------------------

    def resolve_broadcast(self, room: str) -> str:
        if self.broadcast_id is None:
            if room.startswith("#"):
                found = self.api.call(
                    "GET", f"{CLIENT}/directory/room/{q(room)}", _("the broadcast room alias")
                )
                room_id = events.text(found.get("room_id"))
                if not room_id:
                    raise ProviderError(
                        _("The broadcast room's alias does not name a room."),
                        _("Check providers.matrix.broadcast_room."),
                    )
                self.broadcast_id = room_id
            else:
                self.broadcast_id = room
        return self.broadcast_id

    def broadcast_warnings(self, room: str) -> list[str]:
        """Only staff may post in a broadcast room: its power levels must say so."""
        room_id = self.resolve_broadcast(room)
        try:
            # A list of whole state events: v12 rooms name their creators only in m.room.create.
            state: Any = self.api.call_list(
                f"{CLIENT}/rooms/{q(room_id)}/state", _("the broadcast room's state")
            )
        except HttpError as err:
            if err.retryable:
                raise
            return [_("The office account cannot read the broadcast room (is it a member?).")]
        return broadcast_problems(events.items(state), self.own_user)


def level(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def broadcast_problems(state: list[dict[str, Any]], own_user: str) -> list[str]:
    """What is wrong with a broadcast room's power levels, in words for `check`."""
    by_type = {e.get("type"): e for e in state if e.get("state_key") == ""}
    create = by_type.get("m.room.create", {})
    content = events.obj(create.get("content"))
    version = events.text(content.get("room_version"))
    creators = {events.text(create.get("sender"))} | set(
        events.text(u) for u in content.get("additional_creators") or [] if isinstance(u, str)
    )
    levels = events.obj(by_type.get("m.room.power_levels", {}).get("content"))
    users = events.obj(levels.get("users"))
    users_default = level(levels.get("users_default"), 0)
    needed = level(
        events.obj(levels.get("events")).get("m.room.message"),
        level(levels.get("events_default"), 0),
    )
    # From room version 12 on, creators hold unlimited power and are not listed in `users`.
    creator_power = version.isdigit() and int(version) >= 12 and own_user in creators
    problems = []
    if not creator_power and level(users.get(own_user), users_default) < needed:
        problems.append(_("The office account may not post in the broadcast room (power level)."))
    if users_default >= needed:
        problems.append(
            _(
                "Everyone may post in the broadcast room: raise events_default above users_default "
                "so that only staff can."
            )
        )
    return problems
