"""Setting up: the example config for `init`, and the messenger check for `doctor`."""

from __future__ import annotations

from pathlib import Path

from sprechstunde_cli.errors import AuthError, ConfigError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Provider, ProviderContext
from sprechstunde_cli.providers.registry import PROVIDERS
from sprechstunde_cli.providers.registry import needs_token as _needs_token
from sprechstunde_cli.system.credentials import Secret
from sprechstunde_cli.system.files import create_private, ensure_dir, write_private

EXAMPLE_RESOURCE = "config.example.toml"


def example_config() -> bytes:
    """The commented example config shipped inside the package."""
    from importlib import resources  # not at import time: only `init` needs it

    return (resources.files("sprechstunde_cli") / EXAMPLE_RESOURCE).read_bytes()


def write_config(path: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `path` readable by the owner only; refuse to replace a file unless forced."""
    try:
        # Only a directory we create is made private: chmod-ing an existing one (the working
        # directory with --config ./x.toml) would be a surprise.
        ensure_dir(path.parent)
        if force:
            write_private(path, data)
        else:
            create_private(path, data)
    except FileExistsError:
        raise ConfigError(
            _("A config file already exists at {path}.").format(path=path),
            _(
                "Edit that file, or add --force to overwrite it with the example "
                "(or pass --config FILE to write elsewhere)."
            ),
        ) from None
    except OSError as exc:
        raise ConfigError(
            _("Cannot write {path}: {value}.").format(path=path, value=exc.strerror or exc),
            _("Check the directory's permissions, or pass --config FILE to write elsewhere."),
        ) from None


def needs_token(name: str) -> bool:
    """False for a messenger that runs without any credential (the local one)."""
    return _needs_token(name)


def password_login(
    name: str, settings: object, user: str, password: str, context: ProviderContext
) -> Secret:
    """Trade an account's password for a token at messenger `name` (the password is not kept)."""
    require_password_login(name)
    return PROVIDERS[name].login_with_password(settings, user, password, context)


def require_password_login(name: str) -> None:
    """An AuthError unless messenger `name` has a password login (checked before prompting)."""
    entry = PROVIDERS.get(name)
    if entry is None or not entry.login:
        raise AuthError(
            _("The {name} provider has no password login.").format(name=name),
            _("Paste an access token instead: sprechstunde login {name}").format(name=name),
        )


def cross_sign(name: str, settings: object, recovery: Secret, context: ProviderContext) -> None:
    """Vouch for the office's device with the account's recovery key (`login --recovery-key`)."""
    entry = PROVIDERS.get(name)
    if entry is None or not entry.trust:
        raise AuthError(
            _("The {name} provider has no recovery key.").format(name=name),
            _("Log in with a token instead: sprechstunde login {name}").format(name=name),
        )
    entry.cross_sign(settings, recovery, context)


def check_messenger(provider: Provider) -> tuple[str, ...]:
    """Raise if the messenger cannot carry the hour; return warnings about a risky setup."""
    return provider.check()
