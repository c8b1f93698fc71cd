"""Matrix: the office's account on a homeserver; with its own Synapse, a server-wide purge.

Settings (`[providers.matrix]`): homeserver, user_id, server_admin, broadcast_room, device_id.
The access token comes from `sprechstunde login matrix` (keyring) or SPRECHSTUNDE_MATRIX_TOKEN.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

import httpx

from sprechstunde_cli.errors import AuthError, ConfigError, ProviderError
from sprechstunde_cli.paths import Paths
from sprechstunde_cli.providers.matrix.api import CLIENT, MatrixApi, MatrixError
from sprechstunde_cli.providers.matrix.provider import MatrixProvider, MatrixSettings
from sprechstunde_cli.secrets import Secret, require_token

__all__ = ["MatrixProvider", "MatrixSettings", "create", "login_with_password", "parse_settings"]

KEYS = {"homeserver", "user_id", "server_admin", "broadcast_room", "device_id"}
USER_ID = re.compile(r"@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-\[\]:]+")
ROOM = re.compile(r"[!#][^\s:]+:[A-Za-z0-9.\-\[\]:]+")
DEVICE_NAME = "sprechstunde"


def _key(name: str) -> str:
    return f"providers.matrix.{name}"


def parse_settings(settings: Mapping[str, object]) -> MatrixSettings:
    """Validate `[providers.matrix]`; every error names the key and an example."""
    for name in settings:
        if name not in KEYS:
            raise ConfigError(
                "is not a Matrix setting.",
                "Known keys: " + ", ".join(sorted(KEYS)) + ".",
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
            "must be the homeserver's base URL.",
            'Write e.g. homeserver = "https://matrix.example.org".',
            _key("homeserver"),
        )
    user_id = settings.get("user_id")
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
        raise ConfigError(
            "must be the office account's full Matrix ID.",
            'Write e.g. user_id = "@buergermeisterin:example.org".',
            _key("user_id"),
        )
    server_admin = settings.get("server_admin", False)
    if not isinstance(server_admin, bool):
        raise ConfigError(
            "must be true or false.",
            "Set server_admin = true only if the office runs the homeserver and the account "
            "is its admin.",
            _key("server_admin"),
        )
    broadcast = settings.get("broadcast_room")
    if broadcast is not None and (not isinstance(broadcast, str) or not ROOM.fullmatch(broadcast)):
        raise ConfigError(
            "must be a room id or alias.",
            'Write e.g. broadcast_room = "#sprechstunde:example.org", or leave it out.',
            _key("broadcast_room"),
        )
    device = settings.get("device_id")
    if device is not None and (
        not isinstance(device, str) or not device.isascii() or not device.isalnum()
    ):
        raise ConfigError(
            "must be letters and digits.",
            'Write e.g. device_id = "SPRECHSTUNDE", or leave it out.',
            _key("device_id"),
        )
    return MatrixSettings(
        homeserver=homeserver.rstrip("/"),
        user_id=user_id,
        server_admin=server_admin,
        broadcast_room=broadcast,
        device_id=device,
    )


def _client(homeserver: str, token: Secret | None = None) -> httpx.Client:
    headers = {"User-Agent": "sprechstunde"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token.reveal()}"
    # No redirects: a redirect could carry the token to another host.
    return httpx.Client(
        base_url=homeserver,
        headers=headers,
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=False,
    )


def create(paths: Paths, settings: Mapping[str, object]) -> MatrixProvider:
    """Factory for the registry."""
    parsed = parse_settings(settings)
    token = require_token("matrix", paths)
    return MatrixProvider(parsed, MatrixApi(_client(parsed.homeserver, token)))


def login_with_password(settings: Mapping[str, object], user: str, password: str) -> Secret:
    """Log in once with a password and return the access token (the password is not kept)."""
    parsed = parse_settings({**settings, "user_id": user})
    body: dict[str, object] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
        "initial_device_display_name": DEVICE_NAME,
    }
    if parsed.device_id:
        # The same device keeps the transaction-id scope: an old outbox key still sends once.
        body["device_id"] = parsed.device_id
    with _client(parsed.homeserver) as client:
        try:
            answer = MatrixApi(client).call("POST", f"{CLIENT}/login", "the login", json=body)
        except MatrixError as err:
            if err.status not in (400, 401, 403):
                raise
            raise AuthError(
                f"The homeserver refused the login ({err.errcode or err.status}).",
                "Check the user ID and password; or log in with a Matrix app and paste its "
                "token: sprechstunde login matrix",
            ) from None
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ProviderError(
            "The homeserver's login answer holds no access token.",
            "Log in with a Matrix app and paste its token: sprechstunde login matrix",
        )
    if answer.get("user_id") != user:
        raise ProviderError(
            "The homeserver logged in another account than the one asked for.",
            "Use the full Matrix ID, e.g. @buergermeisterin:example.org.",
        )
    return Secret(token)
