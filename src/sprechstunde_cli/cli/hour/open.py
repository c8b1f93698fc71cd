"""`open`: open the consultation hour, then receive, greet and show the threads live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import HourSessionArg
from sprechstunde_cli.errors import ExitCode, StateError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.services.hour import Hour, StepReport

HINT = _("Ctrl-C leaves the session open. Other terminal: sprechstunde reply N")


def open_(
    ctx: typer.Context,
    session: HourSessionArg = None,
    now_: Annotated[
        bool,
        typer.Option(
            "--now", help=_("Open right away, even outside the planned hour (for rehearsals).")
        ),
    ] = False,
    once: Annotated[
        bool,
        typer.Option("--once", help=_("Handle what is waiting, then exit (for scripts and cron).")),
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help=_("Print events line by line instead of the live view."))
    ] = False,
) -> None:
    """Open the consultation hour: receive, greet, and show the threads live."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import SessionState
    from sprechstunde_cli.services.hour import Hour, open_session
    from sprechstunde_cli.services.sessions import current_session, session_to_open

    config, store, clock = application.config, application.store, application.clock
    spec = session_to_open(store, config, session, clock.now(), now_)
    opened = open_session(store, spec, clock.now(), actor=application.operator, rehearse=now_)
    with application.provider(spec.provider) as provider:
        media_dir = application.paths.session_dir(spec.id) / "media"
        hour = Hour(store, provider, config, spec.id, media_dir, timer=application.wiring.timer)
        verb = _("Resumed") if opened.resumed else _("Opened")
        shifted = _(" (rehearsal: shifted to now)") if opened.shifted else ""
        application.say(
            _("{verb} session '{id}' on {name}{shifted}.").format(
                verb=verb, id=spec.id, name=provider.name, shifted=shifted
            )
        )
        try:
            if once:
                report = hour.step(clock.now(), wait=0.0)
                if report.store_problem is not None:
                    raise report.store_problem  # for cron: the exit code says it all
                _print_step(application, report)
            elif application.console.is_terminal and not plain:
                _run_live(application, hour)
            else:
                while True:
                    _print_step(application, hour.step(clock.now(), config.hour.poll_seconds))
        except StateError:
            state = current_session(store, spec.id).state
            if state is SessionState.OPEN:
                raise
            # Someone ran `close` in another terminal: the hour is over, and that is no error.
            application.say(
                _("Session '{id}' is {value}; `open` stops here.").format(
                    id=spec.id, value=state.value
                )
            )
        except KeyboardInterrupt:
            application.say(
                _(
                    "Left session '{id}' open. Resume with: sprechstunde open {id} — end it "
                    "with: sprechstunde close {id}"
                ).format(id=spec.id)
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def _print_step(application: Application, report: StepReport) -> None:
    from sprechstunde_cli.render.hour import ROOM_AGAIN, step_notes, store_line

    if report.store_changed:  # once when it begins, once when it ends: not every poll
        if report.store_problem is not None:
            application.warn(store_line(report.store_problem))
        else:
            application.say(ROOM_AGAIN)
    for note in step_notes(report):
        application.say(note)
    for problem in report.problems:
        application.warn(problem)


def _run_live(application: Application, hour: Hour) -> None:
    from sprechstunde_cli.render.formats import zone
    from sprechstunde_cli.render.hour import ROOM_AGAIN, step_notes, store_fix
    from sprechstunde_cli.render.threads import live_view
    from sprechstunde_cli.services.threads import thread_list

    out = application.console
    # Redacted like the lines of --plain (say/warn): a problem may quote a server.
    status = application.redacted(HINT)
    with application.live() as live:
        while True:
            now = application.clock.now()
            report = hour.step(now, application.config.hour.poll_seconds)
            notes = [
                _("Warning: {message}").format(message=p) for p in report.problems
            ] or step_notes(report)
            if report.store_changed and report.store_problem is None:
                notes.append(ROOM_AGAIN)
            session = hour.session
            if notes:
                local = now.astimezone(zone(session.timezone))
                status = application.redacted(f"{local:%H:%M} {notes[-1]}  ·  {HINT}")
            height = max(10, out.size.height - 2)
            rows = thread_list(application.store, session)
            # For as long as the store takes no writes, the problem and its fix stay above the
            # table, whatever else happens meanwhile.
            problem = report.store_problem
            lines = (
                (_("Warning: {message}").format(message=problem.message), store_fix(problem))
                if problem
                else ()
            )
            alert = [application.redacted(line) for line in lines]
            frame = live_view(session, rows, now=now, status=status, height=height, alert=alert)
            live.update(frame, refresh=True)
