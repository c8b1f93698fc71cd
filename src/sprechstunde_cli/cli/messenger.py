"""The session's messenger for a command: its settings from the config, the context it runs in."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Application
    from sprechstunde_cli.providers.base import Provider, ProviderContext
    from sprechstunde_cli.system.credentials import Secret


def build(application: Application, name: str) -> Provider:
    """The messenger `name`, built from its config section (its defaults without a config)."""
    from sprechstunde_cli.cli.sections import table
    from sprechstunde_cli.providers.registry import entry_for

    entry = entry_for(name)
    if not application.paths.config_file.exists():
        settings = entry.parse_settings({})  # the sandbox and demo run without a config
    elif (found := table(application, "providers", name)) is not None:
        # A command that needs nothing else of the config (`show`, `reply`, `purge`, `doctor`)
        # reads its messenger's section alone from a file that passed its check, by the same
        # reader.
        settings = entry.parse_settings(found)
    else:
        settings = application.config.provider_settings(name)
    return entry.create(settings, context(application, name))


def context(application: Application, name: str) -> ProviderContext:
    from sprechstunde_cli.providers.base import ProviderContext

    def token() -> Secret:
        # The credentials module (json, keyring's reader) only for a messenger that asks for
        # its token: the local messenger never does.
        from sprechstunde_cli.system.credentials import require_token

        return require_token(name, application.paths)

    return ProviderContext(
        paths=application.paths,
        token=token,
        transport=application.wiring.transport,
        timer=application.wiring.timer,
    )
