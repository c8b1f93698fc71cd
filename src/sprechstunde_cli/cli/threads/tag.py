"""`tag`: count a thread under a topic, for the press release."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import SessionOpt, ThreadArg
from sprechstunde_cli.i18n import _


def tag(
    ctx: typer.Context,
    number: ThreadArg,
    topic: Annotated[str, typer.Argument(help=_("One of hour.topics, e.g. Verkehr."))],
    session: SessionOpt = None,
) -> None:
    """Count a thread under a topic; `stats` shows the counts, also after the purge."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import topics
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    found, added = topics.tag(application.store, application.config, record, number, topic)
    if added:
        application.say(
            _("Thread {number} counted under {found}.").format(number=number, found=found)
        )
    else:
        application.say(
            _("Thread {number} was already counted under {found}.").format(
                number=number, found=found
            )
        )
