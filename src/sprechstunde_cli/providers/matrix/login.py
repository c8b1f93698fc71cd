"""`sprechstunde login matrix --password`: trade the account's password for an access token once.

The password is sent to the homeserver and forgotten; only the token it issues is kept.
"""

from __future__ import annotations

import dataclasses

from sprechstunde_cli.errors import AuthError, ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import ProviderContext
from sprechstunde_cli.providers.http import HttpError
from sprechstunde_cli.providers.matrix.client import CLIENT, MatrixApi, http_client
from sprechstunde_cli.providers.matrix.settings import USER_ID, MatrixSettings, user_id_error
from sprechstunde_cli.system.credentials import Secret

DEVICE_NAME = "sprechstunde"


def login_with_password(
    settings: MatrixSettings, user: str, password: str, context: ProviderContext
) -> Secret:
    """Log in once with a password and return the access token (the password is not kept)."""
    if not USER_ID.fullmatch(user):
        raise user_id_error()
    parsed = dataclasses.replace(settings, user_id=user)
    body: dict[str, object] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
        "initial_device_display_name": DEVICE_NAME,
    }
    if parsed.device_id:
        # The same device keeps the transaction-id scope: an old outbox key still sends once.
        body["device_id"] = parsed.device_id
    with http_client(parsed.homeserver, None, context.transport) as client:
        try:
            answer = MatrixApi(client).call("POST", f"{CLIENT}/login", _("the login"), json=body)
        except HttpError as err:
            if err.status not in (400, 401, 403):
                raise
            raise AuthError(
                _("The homeserver refused the login ({value}).").format(
                    value=err.code or err.status
                ),
                _(
                    "Check the user ID and password; or log in with a Matrix app and paste its "
                    "token: sprechstunde login matrix"
                ),
            ) from None
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ProviderError(
            _("The homeserver's login answer holds no access token."),
            _("Log in with a Matrix app and paste its token: sprechstunde login matrix"),
        )
    if answer.get("user_id") != user:
        raise ProviderError(
            _("The homeserver logged in another account than the one asked for."),
            _("Use the full Matrix ID, e.g. @buergermeisterin:example.org."),
        )
    return Secret(token)
