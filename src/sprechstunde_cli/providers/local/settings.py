"""`[providers.local]`: the local messenger has no settings; a key there is a typo to report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _


@dataclass(frozen=True)
class LocalSettings:
    """Nothing to set: the messenger lives in the data dir and needs no token."""


def parse_settings(raw: Mapping[str, object]) -> LocalSettings:
    for name in raw:
        raise ConfigError(
            _("is not a setting: the local messenger has none."),
            _("Remove it, or delete the [providers.local] section."),
            f"providers.local.{name}",
        )
    return LocalSettings()
