"""`logout`: forget a messenger's stored token."""

from __future__ import annotations

import os

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import CredentialArg


def logout(ctx: typer.Context, provider: CredentialArg) -> None:
    """Delete a provider's stored access token."""
    from sprechstunde_cli.services.setup import needs_token
    from sprechstunde_cli.system import credentials

    application: Application = ctx.obj
    if not needs_token(provider):
        application.say(f"The {provider} provider needs no token; nothing to delete.")
        return
    if credentials.delete_token(provider, application.paths):
        application.say(f"Deleted the stored token for {provider}.")
    else:
        application.say(f"No token for {provider} was stored.")
    # `login --recovery-key` keeps the account's recovery key beside the token: it goes too.
    if credentials.delete_token(f"{provider}-recovery", application.paths):
        application.say(f"Deleted the stored recovery key for {provider}.")
    variable = credentials.env_var(provider)
    if os.environ.get(variable, "").strip():
        application.say(f"Note: {variable} is still set in this environment and will be used.")
