"""`[providers.matrix]`: homeserver, user_id, server_admin, broadcast_room, device_id,
unreadable_after; and what
the office's account can do with them.

The access token comes from `sprechstunde login matrix` (keyring) or SPRECHSTUNDE_MATRIX_TOKEN.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Capabilities, DeleteReach, ReceiveMode

KEYS = {
    "homeserver",
    "user_id",
    "server_admin",
    "broadcast_room",
    "device_id",
    "unreadable_after",
}
# How long an encrypted message may wait for its key before the citizen is asked to resend it.
UNREADABLE_AFTER_S = 120.0
USER_ID = re.compile(r"@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-\[\]:]+")
ROOM = re.compile(r"[!#][^\s:]+:[A-Za-z0-9.\-\[\]:]+")


@dataclass(frozen=True)
class MatrixSettings:
    """The `[providers.matrix]` section: the homeserver, the office account, the purge's reach."""

    homeserver: str
    user_id: str
    server_admin: bool = False
    broadcast_room: str | None = None
    device_id: str | None = None
    unreadable_after: float = UNREADABLE_AFTER_S


def _key(name: str) -> str:
    return f"providers.matrix.{name}"


def user_id_error() -> ConfigError:
    return ConfigError(
        _("must be the office account's full Matrix ID."),
        _('Write e.g. user_id = "@buergermeisterin:example.org".'),
        _key("user_id"),
    )


def parse_settings(settings: Mapping[str, object]) -> MatrixSettings:
    """Validate `[providers.matrix]`; every error names the key and an example."""
    for name in settings:
        if name not in KEYS:
            raise ConfigError(
                _("is not a Matrix setting."),
                _("Known keys: {keys}.").format(keys=", ".join(sorted(KEYS))),
                _key(name),
            )
    homeserver = settings.get("homeserver")
    parts = urllib.parse.urlsplit(homeserver) if isinstance(homeserver, str) else None
    if (
        not isinstance(homeserver, str)
        or parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ConfigError(
            _("must be the homeserver's base URL."),
            _('Write e.g. homeserver = "https://matrix.example.org".'),
            _key("homeserver"),
        )
    user_id = settings.get("user_id")
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
        raise user_id_error()
    server_admin = settings.get("server_admin", False)
    if not isinstance(server_admin, bool):
        raise ConfigError(
            _("must be true or false."),
            _(
                "Set server_admin = true only if the office runs the homeserver and the account "
                "is its admin."
            ),
            _key("server_admin"),
        )
    broadcast = settings.get("broadcast_room")
    if broadcast is not None and (not isinstance(broadcast, str) or not ROOM.fullmatch(broadcast)):
        raise ConfigError(
            _("must be a room id or alias."),
            _('Write e.g. broadcast_room = "#sprechstunde:example.org", or leave it out.'),
            _key("broadcast_room"),
        )
    device = settings.get("device_id")
    if device is not None and (
        not isinstance(device, str) or not device.isascii() or not device.isalnum()
    ):
        raise ConfigError(
            _("must be letters and digits."),
            _('Write e.g. device_id = "SPRECHSTUNDE", or leave it out.'),
            _key("device_id"),
        )
    wait = settings.get("unreadable_after", UNREADABLE_AFTER_S)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 < wait <= 86400:
        raise ConfigError(
            _("must be a number of seconds between 1 and 86400."),
            _("Write e.g. unreadable_after = 120, or leave it out (120 seconds)."),
            _key("unreadable_after"),
        )
    return MatrixSettings(
        unreadable_after=float(wait),
        homeserver=homeserver.rstrip("/"),
        user_id=user_id,
        server_admin=server_admin,
        broadcast_room=broadcast,
        device_id=device,
    )


# What the office's account can send, as which Matrix msgtype (file names: domain.media).
SEND_KINDS = {
    MessageKind.IMAGE: "m.image",
    MessageKind.VOICE: "m.audio",
    MessageKind.FILE: "m.file",
}

RESIDUAL_REDACTED = (
    "Redacted messages stay readable in the homeserver's database for its "
    "redaction_retention_period (Synapse: 7 days by default) and in its search index.",
    "Photos and voice notes stay in the homeserver's media store: redaction deletes no files.",
    "Copies on federated homeservers and in the citizens' own Matrix apps are outside the "
    "office's reach (compliant apps hide redacted messages).",
)
# Said in every Matrix receipt: in an end-to-end encrypted chat the office destroys its own
# room keys, but the citizen's copies are the citizen's (crypto.py, docs/matrix.md).
RESIDUAL_E2E = (
    "End-to-end encrypted chats: the office's room keys were destroyed; the citizens' own "
    "devices keep their copies and room keys, and so does any key backup a citizen made (on "
    "their homeserver or as an exported key file).",
)
RESIDUAL_PURGED = (
    "The office's own homeserver purged each room and its uploaded files; backups of that "
    "server keep what they held until they expire.",
    "Copies on federated homeservers and in the citizens' own Matrix apps are outside the "
    "office's reach (compliant apps hide redacted messages).",
)


def capabilities_for(settings: MatrixSettings) -> Capabilities:
    return Capabilities(
        receive=ReceiveMode.POLL,
        send_text=True,
        send_media=frozenset(SEND_KINDS),
        download_media=True,
        mark_read=True,
        reject_calls=True,
        delete_reach=DeleteReach.SERVER_WIDE if settings.server_admin else DeleteReach.BOTH_SIDES,
        revoke_own=True,
        delete_chat=True,
        announce=settings.broadcast_room is not None,
        idempotent_send=True,
        residual_retention=(RESIDUAL_PURGED if settings.server_admin else RESIDUAL_REDACTED)
        + RESIDUAL_E2E,
        read_receipts=True,  # m.receipt, which the citizens' clients send
    )
