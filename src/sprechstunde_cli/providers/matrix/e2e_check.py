"""What `doctor` says about the office's encrypted device: its keys on the server, the crypto
store, and whether the device is cross-signed (what citizens' apps show next to its messages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import CLIENT

if TYPE_CHECKING:
    # Annotations only: nio loads when the device is started, not with this module.
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice

UNVERIFIED = (
    "The office's Matrix device is not cross-signed: Element and BundesMessenger show its "
    "messages in encrypted chats as from an unverified session (a red or grey shield). "
    "Verify it once from another session of the office account (Element: Settings → "
    "Sessions → Verify)."
)
NO_CROSS_SIGNING = (
    "The office's Matrix account has no cross-signing keys: citizens' apps cannot tell its "
    "device is really the office's. Set up secure backup once in Element for the account, "
    "then verify this device from there."
)


def crypto_warnings(device: OfficeDevice) -> list[str]:
    """Raises if the device keys are not on the homeserver (the tool uploads them as it
    starts, so that is a server problem); warns about trust."""
    user = device.user_id
    body = device.api.call(
        "POST",
        f"{CLIENT}/keys/query",
        _("the key check"),
        json={"device_keys": {user: [device.device_id]}},
    )
    published = events.obj(events.obj(body.get("device_keys")).get(user)).get(device.device_id)
    keys = events.obj(events.obj(published).get("keys"))
    ours = device.identity_keys()
    if keys.get(f"ed25519:{device.device_id}") != ours["ed25519"]:
        raise ProviderError(
            _(
                "The office's Matrix device keys are not on the homeserver, so citizens' "
                "apps cannot encrypt for it."
            ),
            _(
                "Run sprechstunde doctor again; if it stays, log in again (sprechstunde "
                "login matrix) to get a fresh device."
            ),
        )
    master = events.obj(events.obj(body.get("master_keys")).get(user))
    if not master:
        return [NO_CROSS_SIGNING]
    self_signing = events.obj(events.obj(body.get("self_signing_keys")).get(user))
    signer = {k for k in events.obj(self_signing.get("keys")) if isinstance(k, str)}
    signatures = events.obj(events.obj(events.obj(published).get("signatures")).get(user))
    if not signer & set(signatures):
        return [UNVERIFIED]
    return []
