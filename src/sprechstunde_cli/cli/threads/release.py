"""`release`: give up your claim on a thread."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import SessionOpt, ThreadArg
from sprechstunde_cli.i18n import _


def release(
    ctx: typer.Context,
    number: ThreadArg,
    session: SessionOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Release a claim held by another operator."))
    ] = False,
) -> None:
    """Release your claim on a thread."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import threads
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    threads.release(application.store, record, number, application.operator, force=force)
    application.say(_("Thread {number} released.").format(number=number))
