"""What a command reads of the config: the whole `Config`, or one section of a checked file.

Building the whole `Config` imports and runs every section's reader (~15 ms of a command's
start). A command that needs one section of a file that passed its check (config/checked.py)
reads that section alone, through the same reader: `reply` its `[hour]` size limit and the
operator's name from `[office]`, `show` its messenger's section (cli/messenger.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Application
    from sprechstunde_cli.config.hour import HourSettings


def table(application: Application, *keys: str) -> Mapping[str, Any] | None:
    """The table at `keys` of a config that passed its check, read alone ({} if it has none);
    None: use `application.config` (loaded already, missing, or not passed as it is now)."""
    if application.config_loaded is not None or (found := application.checked_tables) is None:
        return None
    from sprechstunde_cli.config.checked import section

    return section(found, *keys)


def hour(application: Application) -> HourSettings:
    """`[hour]`: how the live hour runs, and the size limit of a file."""
    if (found := table(application, "hour")) is None:
        return application.config.hour
    from sprechstunde_cli.config.hour import parse_hour

    return parse_hour(found)


def operator(application: Application) -> str:
    """`[office] operator`, "" when the config names none."""
    if (found := table(application, "office")) is None:
        return application.config.operator
    from sprechstunde_cli.config import read

    return read.string(found, "operator", "office.operator", "")
