"""`check`: validate the config and summarise it."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application


def check(ctx: typer.Context) -> None:
    """Validate the config file and summarise it."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.setup import check_lines

    lines = check_lines(application.config, application.paths.config_file, application.clock.now())
    for line in lines:
        application.say(line)
