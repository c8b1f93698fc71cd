"""`standby`: answer between hours: the away text once per sender, delete, keep only a count."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import ExitCode, NotFoundError, SprechstundeError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.services.standby import StandbyReport


def standby(
    ctx: typer.Context,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help=_("The messenger to watch (default: the next session's).")),
    ] = None,
    once: Annotated[
        bool,
        typer.Option("--once", help=_("Handle what is waiting, then exit (for cron).")),
    ] = False,
) -> None:
    """Answer citizens between hours with the away text, then delete their messages."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.leasing import me
    from sprechstunde_cli.services.sessions import messenger_to_check
    from sprechstunde_cli.services.standby import Standby

    config, store, clock = application.config, application.store, application.clock
    try:
        name = provider or messenger_to_check(store, config, clock.now())[0]
    except NotFoundError:
        raise NotFoundError(
            _("No session is planned, so it is not clear which messenger to watch."),
            _("Name it: sprechstunde standby --provider waha (or local, matrix …)."),
        ) from None
    timer = application.wiring.timer
    with application.provider(name) as messenger:
        watch = Standby(store, messenger, config, name, me("standby"), pause=timer.sleep)
        application.say(
            _("Standby on {name}: answering between hours.").format(name=messenger.name)
        )
        try:
            while True:
                report = watch.step(clock.now(), 0.0 if once else config.hour.poll_seconds)
                _print(application, report)
                if once:
                    return
                if report.handed_to or report.waiting_for:
                    timer.sleep(config.hour.poll_seconds)
        except KeyboardInterrupt:
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        finally:
            with contextlib.suppress(SprechstundeError):
                watch.release()  # best effort: a hold whose process is gone goes by itself


def _print(application: Application, report: StandbyReport) -> None:
    from sprechstunde_cli.render.hour import standby_notes

    for note in standby_notes(report):
        application.say(note)
    for problem in report.problems:
        application.warn(problem)
