"""`login`: keep a messenger's token in the OS keyring, never on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.options import CredentialArg
from sprechstunde_cli.errors import AuthError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Application
    from sprechstunde_cli.system import credentials


def login(
    ctx: typer.Context,
    provider: CredentialArg,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help=_(
                "Without a usable keyring, keep the token unencrypted in a file only you can "
                "read (data dir, mode 0600) instead of refusing."
            ),
        ),
    ] = False,
    token_stdin: Annotated[
        bool,
        typer.Option(
            "--token-stdin",
            help=_(
                "Read the token from the first line of standard input instead of a hidden "
                "prompt (for scripts)."
            ),
        ),
    ] = False,
    password: Annotated[
        bool,
        typer.Option(
            "--password",
            help=_(
                "Log in once with the account's ID and password (asked for, hidden) and "
                "store the access token the server issues; the password is not kept. For "
                "providers that have a password login (matrix)."
            ),
        ),
    ] = False,
    recovery_key: Annotated[
        bool,
        typer.Option(
            "--recovery-key",
            help=_(
                "With a token already stored: ask for the account's recovery key (hidden), "
                "cross-sign the office's device with it, so citizens' apps show it as "
                "verified, and keep the key in the keyring. For providers with end-to-end "
                "encryption (matrix)."
            ),
        ),
    ] = False,
) -> None:
    """Store a provider's access token in the OS keyring.

    The token is asked for with a hidden prompt (or read from stdin with --token-stdin); it is
    never taken as an argument, so it stays out of shell history and process lists. On servers
    and in CI, set SPRECHSTUNDE_<PROVIDER>_TOKEN instead.
    """
    from sprechstunde_cli.services.setup import needs_token
    from sprechstunde_cli.system import credentials

    application: Application = ctx.obj
    if not needs_token(provider):
        application.say(
            _("The {provider} provider needs no token; nothing to store.").format(provider=provider)
        )
        return
    credentials.check_storage(provider, insecure_ok=insecure_storage)
    if recovery_key:
        _recovery_key(application, provider, insecure_storage)
        return
    if password:
        raw = _password_login(application, provider).reveal()
    elif token_stdin:
        raw = typer.get_text_stream("stdin").readline()
    else:
        # default="" makes an empty answer come back (and be refused) instead of re-prompting.
        raw = application.ask(_("Token for {provider}").format(provider=provider), secret=True)
    token = credentials.Secret(raw.strip())
    if not token.reveal() or not token.reveal().isprintable():
        problem = _("is empty") if not token.reveal() else _("contains control characters")
        raise AuthError(
            _("The token {problem}; nothing was stored.").format(problem=problem),
            _("Paste the token at the prompt, or pipe it in with --token-stdin."),
        )
    where = credentials.store_token(
        provider, token, application.paths, insecure_ok=insecure_storage
    )
    application.say(
        _("Stored the token for {provider} in {where}.").format(provider=provider, where=where)
    )


def _recovery_key(application: Application, provider: str, insecure_storage: bool) -> None:
    from sprechstunde_cli.cli.messenger import context
    from sprechstunde_cli.services.setup import cross_sign
    from sprechstunde_cli.system import credentials

    key = credentials.Secret(application.ask(_("Recovery key"), secret=True).strip())
    settings = application.config.provider_settings(provider)
    cross_sign(provider, settings, key, context(application, provider))
    where = credentials.store_token(
        f"{provider}-recovery", key, application.paths, insecure_ok=insecure_storage
    )
    application.say(
        _("Cross-signed the office's {provider} device; kept the recovery key in {where}.").format(
            provider=provider, where=where
        )
    )


def _password_login(application: Application, provider: str) -> credentials.Secret:
    """Ask for ID and password, and trade them at the provider for a token."""
    from sprechstunde_cli.cli.messenger import context
    from sprechstunde_cli.services.setup import password_login, require_password_login
    from sprechstunde_cli.system import credentials

    require_password_login(provider)
    settings = application.config.provider_settings(provider)
    configured = getattr(settings, "user_id", "")
    user = application.ask(
        _("User ID"), default=configured if isinstance(configured, str) else ""
    ).strip()
    # A Secret from the start, so the password is redacted from anything a server echoes.
    secret = credentials.Secret(application.ask(_("Password"), secret=True))
    if not user or not secret.reveal():
        raise AuthError(
            _("The user ID or the password is empty; nothing was stored."),
            _(
                "Run it again and answer both prompts: sprechstunde login {provider} --password"
            ).format(provider=provider),
        )
    return password_login(provider, settings, user, secret.reveal(), context(application, provider))
