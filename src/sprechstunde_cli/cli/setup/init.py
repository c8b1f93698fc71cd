"""`init`: write the commented example config."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.i18n import _


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Overwrite an existing config file.")),
    ] = False,
) -> None:
    """Write a commented example config to the config path (see --config)."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.setup import example_config, write_config

    path = application.paths.config_file
    write_config(path, example_config(), force=force)
    for line in (
        _("Wrote the example config to {path}").format(path=path),
        "",
        _("Next steps:"),
        _("  1. Edit it: office.name and the session [sessions.beispiel] ({path})").format(
            path=path
        ),
        _("  2. Check it: sprechstunde check"),
        _("  3. Rehearse with the built-in local messenger: sprechstunde demo"),
        _("     (or open the hour right away: sprechstunde open --now)"),
    ):
        application.say(line)
