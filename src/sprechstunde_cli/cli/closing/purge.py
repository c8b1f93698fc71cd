"""`purge`: delete a closed session at the messenger and here, verify, write the receipt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import ExportOpt, SkipOpt
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.services.purge import Places


def purge(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("Session id to delete."))],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Print what would be deleted, and change nothing."))
    ] = False,
    export_handoffs: ExportOpt = False,
    skip_provider: SkipOpt = False,
) -> None:
    """Delete a closed session at the messenger and on this machine, verify, write a receipt."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import SessionState
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    if record.state is SessionState.PURGED:
        application.say(
            _(
                "Session '{session}' is already purged. Receipt: sprechstunde receipt {session}"
            ).format(session=session)
        )
        return
    with application.provider(record.provider) as provider:
        if dry_run:
            from sprechstunde_cli.render.closing import purge_plan_lines
            from sprechstunde_cli.services.purge import plan

            for line in purge_plan_lines(plan(application.store, provider, record.id)):
                application.say(line)
            return
        run_purge(application, record.id, provider, export_handoffs, skip_provider)


def places(application: Application, session_id: str) -> Places:
    """Where the session's data can be on this machine, and where hand-off exports go."""
    from sprechstunde_cli.services.purge import Places

    paths = application.paths
    return Places(
        data_dir=paths.data_dir,
        session_dir=paths.session_dir(session_id),
        log_file=paths.log_file,
        export_dir=application.config.handoff.export_dir or Path.cwd(),
    )


def run_purge(
    application: Application,
    session_id: str,
    provider: Provider,
    export_handoffs: bool,
    skip_provider: bool,
) -> None:
    """The purge itself, for `purge` and `close --purge`."""
    from sprechstunde_cli.render.closing import purged_lines, waiting_line
    from sprechstunde_cli.services.purge import purge as purge_session
    from sprechstunde_cli.services.purge.closing import Waiting

    said: list[tuple[int, int]] = []

    def waiting(state: Waiting) -> None:
        # A line when the count changes or a minute has passed, not every poll.
        now = (state.unconfirmed, round(state.seconds_left / 60))
        if not said or said[-1] != now:
            said.append(now)
            application.say(waiting_line(session_id, state))

    try:
        receipt = purge_session(
            application.store,
            provider,
            application.config,
            session_id,
            application.clock,
            places=places(application, session_id),
            mailer=application.mailer(),
            export_handoffs=export_handoffs,
            skip_provider=skip_provider,
            waiting=waiting,
        )
    except KeyboardInterrupt:
        # Every step of the purge can be repeated: it goes on where it stopped.
        application.say(
            _("Purge stopped. Finish it with: sprechstunde purge {session_id}").format(
                session_id=session_id
            )
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    for line in purged_lines(receipt):
        application.say(line)
