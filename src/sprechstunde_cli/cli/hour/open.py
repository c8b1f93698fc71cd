"""`open`: open the consultation hour, then receive, greet and show the threads live."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import HourSessionArg
from sprechstunde_cli.errors import ExitCode, SprechstundeError, StateError
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
    view: Annotated[
        bool,
        typer.Option(
            "--view",
            help=_("Watch a session another `open` runs, read-only: take and send nothing."),
        ),
    ] = False,
) -> None:
    """Open the consultation hour: receive, greet, and show the threads live."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import SessionState
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.hour import Hour, open_session
    from sprechstunde_cli.services.leasing import me
    from sprechstunde_cli.services.sessions import session_to_open

    if view:
        _watch(application, session, live=application.console.is_terminal and not plain)
        return
    config, store, clock = application.config, application.store, application.clock
    spec = session_to_open(store, config, session, clock.now(), now_)
    holder = me("open")
    opened = open_session(
        store, spec, clock.now(), actor=application.operator, rehearse=now_, holder=holder
    )
    sid = opened.session.id
    with application.provider(spec.provider) as provider:
        media_dir = application.paths.session_dir(sid) / "media"
        hour = Hour(
            store,
            provider,
            config,
            sid,
            media_dir,
            timer=application.wiring.timer,
            holder=holder,
        )
        verb = _("Resumed") if opened.resumed else _("Opened")
        if opened.rehearsal_of:
            application.say(
                _(
                    "{verb} rehearsal '{id}' of '{original}' on {name}: never announced; "
                    "'{original}' itself stays planned."
                ).format(verb=verb, id=sid, original=opened.rehearsal_of, name=provider.name)
            )
        else:
            shifted = _(" (rehearsal: shifted to now)") if opened.shifted else ""
            application.say(
                _("{verb} session '{id}' on {name}{shifted}.").format(
                    verb=verb, id=sid, name=provider.name, shifted=shifted
                )
            )
        try:
            if once:
                report = hour.step(clock.now(), wait=0.0)
                if report.store_problem is not None:
                    raise report.store_problem  # for cron: the exit code says it all
                _print_step(application, report)
                with application.delivering() as shown:
                    rest = hour.deliver_everything(clock, shown)
                for problem in rest.errors:
                    application.warn(problem)
            elif application.console.is_terminal and not plain:
                _run_live(application, hour)
            else:
                while True:
                    _print_step(application, hour.step(clock.now(), config.hour.poll_seconds))
        except StateError:
            state = current_session(store, sid).state
            if state is SessionState.OPEN:
                raise
            # Someone ran `close` in another terminal: the hour is over, and that is no error.
            from sprechstunde_cli.render.formats import STATE_WORDS, word

            application.say(
                _("Session '{id}' is {value}; `open` stops here.").format(
                    id=sid, value=word(STATE_WORDS, state.value)
                )
            )
        except KeyboardInterrupt:
            application.say(
                _(
                    "Left session '{id}' open. Resume with: sprechstunde open {id} — end it "
                    "with: sprechstunde close {id}"
                ).format(id=sid)
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        finally:
            # Best effort, also on Ctrl-C in the middle of a write: a hold whose process is
            # gone goes by itself, and standby finds where the hour stopped in the store.
            with contextlib.suppress(SprechstundeError):
                hour.release(clock.now())


def _watch(application: Application, session: str | None, *, live: bool) -> None:
    """The threads of a running session, read-only: no receiving, no sending, no lease."""
    from sprechstunde_cli.domain.model import SessionState
    from sprechstunde_cli.render.formats import STATE_WORDS, word, zone
    from sprechstunde_cli.render.threads import live_room, live_view, threads_table
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.hour import running_in
    from sprechstunde_cli.services.threads import thread_list, thread_page

    store = application.store
    record = current_session(store, session)
    if not live:
        now = application.clock.now()
        rows = thread_list(store, record)
        application.show(threads_table(rows, now=now, tz=zone(record.timezone)))
        return
    out = application.console
    try:
        with application.live() as screen:
            while record.state is SessionState.OPEN:
                now = application.clock.now()
                holder = running_in(store, record.id, now)
                who = (
                    _("Read-only view, run by {holder}. Ctrl-C ends the view.").format(
                        holder=holder.describe()
                    )
                    if holder
                    else _("Read-only view, no `open` runs it now. Ctrl-C ends the view.")
                )
                status = application.redacted(who)
                height = max(10, out.size.height - 2)
                # Only the threads that fit, as `open` itself asks for them.
                page = thread_page(store, record, live_room(height))
                frame = live_view(record, page, now=now, status=status, height=height)
                screen.update(frame, refresh=True)
                application.wiring.timer.sleep(application.config.hour.poll_seconds)
                record = current_session(store, record.id)
    except KeyboardInterrupt:
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    application.say(
        _("Session '{id}' is {value}; the view ends here.").format(
            id=record.id, value=word(STATE_WORDS, record.state.value)
        )
    )


def _print_step(application: Application, report: StepReport) -> None:
    from sprechstunde_cli.render.hour import ROOM_AGAIN, step_notes, store_line

    if report.store_changed:  # once when it begins, once when it ends: not every poll
        if report.store_problem is not None:
            application.warn(store_line(report.store_problem))
        else:
            application.say(ROOM_AGAIN)
    for note in step_notes(report):
        application.say(note)
    application.notify(report.intake.arrivals)
    for problem in report.problems:
        application.warn(problem)


def _run_live(application: Application, hour: Hour) -> None:
    from sprechstunde_cli.render.formats import zone
    from sprechstunde_cli.render.hour import ROOM_AGAIN, step_notes, store_fix
    from sprechstunde_cli.render.threads import live_room, live_view
    from sprechstunde_cli.services.threads import thread_page

    out = application.console
    # Redacted like the lines of --plain (say/warn): a problem may quote a server.
    status = application.redacted(HINT)
    with application.live() as live:
        while True:
            now = application.clock.now()
            report = hour.step(now, application.config.hour.poll_seconds)
            application.notify(report.intake.arrivals)
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
            # For as long as the store takes no writes, the problem and its fix stay above the
            # table, whatever else happens meanwhile.
            problem = report.store_problem
            lines = (
                (_("Warning: {message}").format(message=problem.message), store_fix(problem))
                if problem
                else ()
            )
            alert = [application.redacted(line) for line in lines]
            # Only the threads that fit: a frame costs the same at 2,000 threads as at 20.
            page = thread_page(application.store, session, live_room(height, len(alert)))
            frame = live_view(session, page, now=now, status=status, height=height, alert=alert)
            live.update(frame, refresh=True)
