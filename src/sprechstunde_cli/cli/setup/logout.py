"""`logout`: forget a messenger's stored token."""

from __future__ import annotations

import os

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import CredentialArg
from sprechstunde_cli.i18n import _


def logout(ctx: typer.Context, provider: CredentialArg) -> None:
    """Delete a provider's stored access token."""
    from sprechstunde_cli.services.setup import needs_token
    from sprechstunde_cli.system import credentials

    application: Application = ctx.obj
    if not needs_token(provider):
        application.say(
            _("The {provider} provider needs no token; nothing to delete.").format(
                provider=provider
            )
        )
        return
    if credentials.delete_token(provider, application.paths):
        application.say(_("Deleted the stored token for {provider}.").format(provider=provider))
    else:
        application.say(_("No token for {provider} was stored.").format(provider=provider))
    # `login --recovery-key` keeps the account's recovery key beside the token: it goes too.
    if credentials.delete_token(f"{provider}-recovery", application.paths):
        application.say(
            _("Deleted the stored recovery key for {provider}.").format(provider=provider)
        )
    variable = credentials.env_var(provider)
    if os.environ.get(variable, "").strip():
        application.say(
            _("Note: {variable} is still set in this environment and will be used.").format(
                variable=variable
            )
        )
