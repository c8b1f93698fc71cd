"""Provider names → factories, imported lazily so a command loads only the messenger it uses."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.paths import Paths
from sprechstunde_cli.providers.base import Provider

# name → module; each module has `create(paths, settings) -> Provider`.
PROVIDERS: dict[str, str] = {
    "local": "sprechstunde_cli.providers.local",
    "waha": "sprechstunde_cli.providers.waha",
    "matrix": "sprechstunde_cli.providers.matrix",
}


def build_provider(name: str, paths: Paths, settings: Mapping[str, object]) -> Provider:
    module_name = PROVIDERS.get(name)
    if module_name is None:
        raise ConfigError(
            f"Unknown provider '{name}'.", "Known providers: " + ", ".join(sorted(PROVIDERS)) + "."
        )
    module = importlib.import_module(module_name)
    provider: Provider = module.create(paths, settings)
    return provider
