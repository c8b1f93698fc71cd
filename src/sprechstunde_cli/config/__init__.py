"""The config file: one module per section, every section checked when the file is loaded.

The names below are imported on first use, not with the package: `config/checked.py` is asked
by every command whether the file passed its check, and that answer needs none of the readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.lazy import exports

if TYPE_CHECKING:
    from sprechstunde_cli.config.hour import HourSettings
    from sprechstunde_cli.config.load import load_config, parse_config
    from sprechstunde_cli.config.model import Config

__all__ = ["Config", "HourSettings", "load_config", "parse_config"]

__getattr__ = exports(
    __name__,
    {
        "Config": "sprechstunde_cli.config.model",
        "HourSettings": "sprechstunde_cli.config.hour",
        "load_config": "sprechstunde_cli.config.load",
        "parse_config": "sprechstunde_cli.config.load",
    },
)
