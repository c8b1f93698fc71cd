"""Every messenger, declared: its name, whether it needs a token, how its settings are read and
checked, how it is built, and its login helper.

To add a messenger: a package `providers/<name>/` of the same shape as the others, one entry
in PROVIDERS below, and its tests. The functions are named by module path and loaded on first
use, so a command pays only for the messenger it talks to.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base import Provider, ProviderContext
    from sprechstunde_cli.system.credentials import Secret

_PACKAGE = "sprechstunde_cli.providers"
# What a session uses when it names no messenger: the built-in one, which needs no account.
DEFAULT_PROVIDER = "local"


@dataclass(frozen=True)
class ProviderEntry:
    """One messenger as the registry declares it: its name, token need, and its functions."""

    name: str
    needs_token: bool
    # "<module>:<function>" inside providers/<name>/, resolved when first called:
    settings: str  # parse_settings(raw section) -> settings, raising ConfigError with the key
    factory: str  # create(settings, ProviderContext) -> Provider
    # login_with_password(settings, user, password, context) -> Secret, if the messenger has one
    login: str = ""
    # cross_sign_device(settings, recovery_key, context): `login --recovery-key`, if it has one
    trust: str = ""

    def parse_settings(self, raw: Mapping[str, object]) -> object:
        """Validate `[providers.<name>]` (an empty mapping when the section is missing)."""
        return _load(self.settings)(raw)

    def create(self, settings: object, context: ProviderContext) -> Provider:
        provider: Provider = _load(self.factory)(settings, context)
        return provider

    def login_with_password(
        self, settings: object, user: str, password: str, context: ProviderContext
    ) -> Secret:
        secret: Secret = _load(self.login)(settings, user, password, context)
        return secret

    def cross_sign(self, settings: object, recovery: Secret, context: ProviderContext) -> None:
        _load(self.trust)(settings, recovery, context)


PROVIDERS: dict[str, ProviderEntry] = {
    entry.name: entry
    for entry in (
        ProviderEntry(
            "local",
            needs_token=False,
            settings="local.settings:parse_settings",
            factory="local.provider:create",
        ),
        ProviderEntry(
            "waha",
            needs_token=True,
            settings="waha.settings:parse_settings",
            factory="waha.provider:create",
        ),
        ProviderEntry(
            "matrix",
            needs_token=True,
            settings="matrix.settings:parse_settings",
            factory="matrix.provider:create",
            login="matrix.login:login_with_password",
            trust="matrix.trust:cross_sign_device",
        ),
    )
}


def entry_for(name: str) -> ProviderEntry:
    """The declared entry, or a ConfigError naming the known messengers."""
    found = PROVIDERS.get(name)
    if found is None:
        raise ConfigError(
            _("Unknown provider '{name}'.").format(name=name),
            _("Known providers: {names}.").format(names=", ".join(sorted(PROVIDERS))),
        )
    return found


def needs_token(name: str) -> bool:
    """False for a messenger declared tokenless; any other credential name (smtp, mastodon …)
    holds a token of its own."""
    entry = PROVIDERS.get(name)
    return entry is None or entry.needs_token


def _load(reference: str) -> Any:
    module, _, function = reference.partition(":")
    return getattr(importlib.import_module(f"{_PACKAGE}.{module}"), function)
