"""`[providers.<name>]`: each section is read and checked by its messenger's own settings
reader, declared in providers/registry.py, when the config loads (so `check` catches a typo)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.providers.registry import PROVIDERS

KNOWN_PROVIDERS = tuple(PROVIDERS)


def parse_providers(tbl: Mapping[str, Any]) -> dict[str, object]:
    parsed: dict[str, object] = {}
    for name in tbl:
        if name not in PROVIDERS:
            read.unknown(f"providers.{name}", name, KNOWN_PROVIDERS, what="provider")
        section = read.table(tbl, name, f"providers.{name}")
        parsed[name] = PROVIDERS[name].parse_settings(section)
    return parsed
