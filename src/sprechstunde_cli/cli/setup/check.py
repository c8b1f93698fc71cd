"""`check`: validate the config and summarise it."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.application import Application


def check(ctx: typer.Context) -> None:
    """Validate the config file and summarise it."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.setup import check_lines
    from sprechstunde_cli.services.sessions import known_states

    # Read only if there is one: `check` before the first `open` makes no store.
    store = application.store if application.paths.store_file.exists() else None
    now = application.clock.now()
    states = known_states(store)
    lines = check_lines(application.config, application.paths.config_file, now, states)
    for line in lines:
        application.say(line)
