"""`close`: closing words to every waiting thread, hand-offs out, intake stopped."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.closing.purge import places, run_purge
from sprechstunde_cli.cli.options import ExportOpt, SessionArg, SkipOpt
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.i18n import _


def close(
    ctx: typer.Context,
    session: SessionArg = None,
    purge_: Annotated[
        bool, typer.Option("--purge", help=_("Delete the session's data right after closing."))
    ] = False,
    export_handoffs: ExportOpt = False,
    skip_provider: SkipOpt = False,
) -> None:
    """Close the hour: closing words to every waiting thread, hand-offs out, intake stopped."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.closing import close_lines
    from sprechstunde_cli.services.close import close as close_session
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    with application.provider(record.provider) as provider:
        try:
            with application.delivering() as shown:
                report = close_session(
                    application.store,
                    provider,
                    application.config,
                    record.id,
                    application.clock,
                    actor=application.operator,
                    mailer=application.mailer(),
                    export_dir=places(application, record.id).export_dir,
                    export=export_handoffs,
                    progress=shown,
                )
        except KeyboardInterrupt:
            # The session stays `closing`; what was sent is recorded, the rest stays queued.
            application.say(
                _("Close stopped. Go on with: sprechstunde close {id}").format(id=record.id)
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        lines, warnings = close_lines(record.id, report)
        for line in lines:
            application.say(line)
        for warning in warnings:
            application.warn(warning)
        if purge_:
            run_purge(application, record.id, provider, export_handoffs, skip_provider)
