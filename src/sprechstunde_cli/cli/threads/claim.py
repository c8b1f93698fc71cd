"""`claim`: tell other operators you are answering a thread."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import SessionOpt, ThreadArg
from sprechstunde_cli.i18n import _


def claim(
    ctx: typer.Context,
    number: ThreadArg,
    session: SessionOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Take over a thread another operator has claimed."))
    ] = False,
) -> None:
    """Claim a thread so other operators see you are answering it."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import threads
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    operator, now = application.operator, application.clock.now()
    threads.claim(application.store, record, number, operator, now, force=force)
    application.say(
        _("Thread {number} is yours ({operator}).").format(number=number, operator=operator)
    )
