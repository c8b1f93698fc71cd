"""The config file: one module per section, every section checked when the file is loaded."""

from sprechstunde_cli.config.hour import HourSettings
from sprechstunde_cli.config.load import load_config, parse_config
from sprechstunde_cli.config.model import Config

__all__ = ["Config", "HourSettings", "load_config", "parse_config"]
