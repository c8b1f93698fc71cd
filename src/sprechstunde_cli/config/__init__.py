"""The config file: one module per section, every section checked when the file is loaded.

The names below are imported on first use, not with the package: `config/checked.py` is asked
by every command whether the file passed its check, and that answer needs none of the readers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sprechstunde_cli.config.hour import HourSettings
    from sprechstunde_cli.config.load import load_config, parse_config
    from sprechstunde_cli.config.model import Config

__all__ = ["Config", "HourSettings", "load_config", "parse_config"]

_HOME = {
    "Config": "model",
    "HourSettings": "hour",
    "load_config": "load",
    "parse_config": "load",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
