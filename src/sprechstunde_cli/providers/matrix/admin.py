"""Synapse's admin API, for an office that runs its own homeserver: purge rooms, check setup.

Facts: Synapse's admin API documentation (rooms, media, users; docs/matrix.md). Only a room delete
with `purge: true` removes the text from the server's database; uploaded files are deleted one
by one because the room delete leaves the media store alone.
"""

from __future__ import annotations

import urllib.parse

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.http import HttpError
from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import ADMIN, MatrixApi, gone, q

PURGE_TIMEOUT = 120.0  # a room of one consultation hour purges in well under a second
POLL_FIRST = 0.05
POLL_MAX = 1.0
PURGE_HINT = _(
    "Run the purge again; if it keeps failing, ask the homeserver's admin to check its log."
)


def purge_room(api: MatrixApi, room_id: str, timer: Timer) -> None:
    """Delete the room with everything in it from the homeserver, and prove it is gone."""
    if not _room_exists(api, room_id):
        return  # purged by an earlier run
    media = api.call("GET", f"{ADMIN}/v1/room/{q(room_id)}/media", _("listing a chat's files"))
    listed = media.get("local")
    local = [m for m in listed if isinstance(m, str)] if isinstance(listed, list) else []
    # A citizen's client can still be joining while the shutdown kicks everyone out; Synapse
    # then fails the purge with "Users are still joined". Its documentation's remedy: the same
    # delete with force_purge, only after a regular one failed.
    if not (
        _delete_room(api, room_id, timer, force=False)
        or _delete_room(api, room_id, timer, force=True)
    ):
        raise ProviderError(_("The homeserver's room purge failed."), PURGE_HINT)
    for mxc in local:
        _delete_file(api, mxc)
    if _room_exists(api, room_id):
        raise ProviderError(_("The homeserver still lists a purged room."), PURGE_HINT)


def _room_exists(api: MatrixApi, room_id: str) -> bool:
    try:
        api.call("GET", f"{ADMIN}/v1/rooms/{q(room_id)}", _("the room check"))
    except HttpError as err:
        if gone(err):
            return False
        raise
    return True


def _delete_room(api: MatrixApi, room_id: str, timer: Timer, *, force: bool) -> bool:
    """Shut the room down and purge it; False if the homeserver reports the purge failed."""
    started = api.call(
        "DELETE",
        f"{ADMIN}/v2/rooms/{q(room_id)}",
        _("the room purge"),
        json={"purge": True, "block": False, "force_purge": force},
    )
    delete_id = events.text(started.get("delete_id"))
    if not delete_id:
        raise ProviderError(_("The homeserver did not start the room purge."), PURGE_HINT)
    return _wait_for(api, delete_id, timer)


def _wait_for(api: MatrixApi, delete_id: str, timer: Timer) -> bool:
    deadline = timer.monotonic() + PURGE_TIMEOUT
    step = POLL_FIRST
    while True:
        status = api.call(
            "GET", f"{ADMIN}/v2/rooms/delete_status/{q(delete_id)}", _("the purge status")
        )
        state = status.get("status")
        if state in ("complete", "failed"):
            return bool(state == "complete")
        if timer.monotonic() > deadline:
            raise ProviderError(
                _("The homeserver's room purge did not finish in {PURGE_TIMEOUT:.0f} s.").format(
                    PURGE_TIMEOUT=PURGE_TIMEOUT
                ),
                PURGE_HINT,
            )
        timer.sleep(step)
        step = min(POLL_MAX, step * 2)


def _delete_file(api: MatrixApi, mxc: str) -> None:
    parts = events.split_mxc(mxc)
    if parts is None:
        return
    server, media_id = parts
    try:
        api.call("DELETE", f"{ADMIN}/v1/media/{q(server)}/{q(media_id)}", _("deleting a file"))
    except HttpError as err:
        # Gone already, or a remote server's file this homeserver cannot delete.
        if not (gone(err) or err.status == 400):
            raise


def check_admin(api: MatrixApi, user_id: str) -> list[str]:
    """Raise if server_admin is set but the account is no admin; warn about rate limits."""
    try:
        found = api.call("GET", f"{ADMIN}/v1/users/{q(user_id)}/admin", _("the admin check"))
    except HttpError as err:
        if err.retryable:
            raise
        found = {}
    if found.get("admin") is not True:
        # The receipt would claim a server-wide purge that cannot happen.
        raise ProviderError(
            _("providers.matrix.server_admin is set, but the account is not a server admin."),
            _("Make the account an admin on your homeserver, or set server_admin = false."),
        )
    try:
        limit = api.call(
            "GET", f"{ADMIN}/v1/users/{q(user_id)}/override_ratelimit", _("the rate-limit check")
        )
    except HttpError as err:
        if err.retryable:
            raise
        limit = {}
    if not limit:
        return [
            _(
                "The homeserver rate-limits the office account (Synapse: 10 messages, then one "
                "every 5 s): greetings to many citizens will queue. Lift it with Synapse's "
                "override_ratelimit admin API (see docs/matrix.md)."
            )
        ]
    return []


def setup_warnings(api: MatrixApi, homeserver: str) -> list[str]:
    warnings = []
    host = urllib.parse.urlsplit(homeserver).hostname or ""
    if homeserver.startswith("http://") and host not in {"localhost", "127.0.0.1", "::1"}:
        warnings.append(
            _("The homeserver URL is not https: the token and every message travel unencrypted.")
        )
    versions = api.call("GET", "/_matrix/client/versions", _("the version check"))
    known = {v for v in versions.get("versions") or [] if isinstance(v, str)}
    if not known & {f"v1.{n}" for n in range(11, 40)}:
        warnings.append(
            _(
                "The homeserver predates authenticated media (Matrix 1.11): files are fetched "
                "without authentication."
            )
        )
    return warnings
