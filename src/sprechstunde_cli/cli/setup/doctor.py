"""`doctor`: is the messenger of the current or next session ready for the hour?"""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.i18n import _


def doctor(
    ctx: typer.Context,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help=_("Check this messenger (e.g. waha) instead of the current or next session's."),
        ),
    ] = None,
) -> None:
    """Check the messenger of the current or next session: reachable, paired, safely set up.

    Prints OK and any warnings; a problem that stops the hour is an error with its fix, and
    the exit code says which kind (6 key, 7 messenger, 3 config).
    """
    application: Application = ctx.obj
    from sprechstunde_cli.services.sessions import messenger_to_check
    from sprechstunde_cli.services.setup import check_messenger

    if provider:
        name, why = provider, _("as asked")
    else:
        store = application.store if application.paths.store_file.exists() else None
        name, why = messenger_to_check(store, application.config, application.clock.now())
    with application.provider(name) as messenger:
        warnings = check_messenger(messenger)
    for warning in warnings:
        application.warn(warning)
    summary = _("{count} warning(s)").format(count=len(warnings)) if warnings else _("no warnings")
    application.say(
        _("OK: {name} is ready ({why}; {summary}).").format(name=name, why=why, summary=summary)
    )
