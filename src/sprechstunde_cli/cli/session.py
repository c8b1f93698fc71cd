"""Session commands: open (the live hour), close, purge, sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import ConfigError, ExitCode, NotFoundError, StateError

if TYPE_CHECKING:
    from datetime import tzinfo

    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.model import SessionSpec, ThreadRow
    from sprechstunde_cli.services.hour import Hour, StepReport

SessionArg = Annotated[
    str | None,
    typer.Argument(help="Session id from the config. Default: the one whose hour is now."),
]


def pick_spec(
    config: Config, session_id: str | None, now: datetime, rehearse: bool, open_ids: list[str]
) -> SessionSpec:
    """The named session; else one already open; else the one in its hour; else the next."""
    if session_id:
        return config.session(session_id)
    for sid in open_ids:
        if sid in config.sessions:
            return config.session(sid)
    upcoming = config.upcoming(now)
    current = [s for s in upcoming if s.start <= now]
    if current:
        return current[0]
    if rehearse and upcoming:
        return upcoming[0]
    if upcoming:
        nxt = upcoming[0]
        raise NotFoundError(
            f"No session's hour is now; the next is '{nxt.id}' at "
            f"{nxt.start:%Y-%m-%d %H:%M} ({nxt.timezone}).",
            f"Wait for it, or rehearse it now: sprechstunde open {nxt.id} --now",
        )
    raise NotFoundError(
        "The config plans no upcoming session.",
        "Add a [sessions.<id>] table to the config (see config.example.toml).",
    )


@app.command("open")
def open_(
    ctx: typer.Context,
    session: SessionArg = None,
    now_: Annotated[
        bool,
        typer.Option(
            "--now", help="Open right away, even outside the planned hour (for rehearsals)."
        ),
    ] = False,
    once: Annotated[
        bool,
        typer.Option("--once", help="Handle what is waiting, then exit (for scripts and cron)."),
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help="Print events line by line instead of the live view.")
    ] = False,
) -> None:
    """Open the consultation hour: receive, greet, and show the threads live."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import SessionState
    from sprechstunde_cli.services.hour import Hour, open_session

    config = application.config
    store = application.store
    clock = application.clock
    now = clock.now()
    open_ids = [s.id for s in store.sessions(SessionState.OPEN)]
    spec = pick_spec(config, session, now, now_, open_ids)
    opened = open_session(store, spec, now, actor=application.operator, rehearse=now_)
    provider = application.provider(spec.provider)
    media_dir = application.paths.session_dir(spec.id) / "media"
    hour = Hour(store, provider, config, spec.id, media_dir)
    out = application.console
    verb = "Resumed" if opened.resumed else "Opened"
    application.say(
        f"{verb} session '{spec.id}' on {provider.name}"
        + (" (rehearsal: shifted to now)" if opened.shifted else "")
        + "."
    )
    live = out.is_terminal and not plain and not once
    try:
        if once:
            _print_step(application, hour.step(clock.now(), wait=0.0))
        elif live:
            _run_live(application, hour)
        else:
            while True:
                _print_step(application, hour.step(clock.now(), config.hour.poll_seconds))
    except StateError:
        state = store.require_session(spec.id).state
        if state is SessionState.OPEN:
            raise
        # Someone ran `close` in another terminal: the hour is over, and that is no error.
        application.say(f"Session '{spec.id}' is {state.value}; `open` stops here.")
    except KeyboardInterrupt:
        application.say(
            f"Left session '{spec.id}' open. Resume with: sprechstunde open {spec.id}"
            f" — end it with: sprechstunde close {spec.id}"
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    finally:
        provider.close()


def _notes(report: StepReport) -> list[str]:
    """What happened in one step, in words for the operator (content-free)."""
    intake = report.intake
    notes = [f"New thread {number} (greeted)." for number in intake.new_threads]
    if intake.stored:
        notes.append(f"{intake.stored} new message(s).")
    if intake.calls_refused:
        notes.append(f"{intake.calls_refused} call(s) refused with the text.")
    if intake.late:
        notes.append(f"{intake.late} message(s) outside the hour: away reply, not kept.")
    if report.last_call_sent:
        notes.append(f"Last call sent to {report.last_call_sent} waiting thread(s).")
    return notes


def _print_step(application: Application, report: StepReport) -> None:
    for note in _notes(report):
        application.say(note)
    for problem in report.problems:
        application.warn(problem)


def _run_live(application: Application, hour: Hour) -> None:
    from rich.live import Live

    from sprechstunde_cli.render.views import live_view

    out = application.console
    hint = "Ctrl-C leaves the session open. Other terminal: sprechstunde reply N"
    status = hint
    with Live(console=out, auto_refresh=False, screen=False, transient=False) as live:
        while True:
            now = application.clock.now()
            report = hour.step(now, application.config.hour.poll_seconds)
            notes = [f"Warning: {p}" for p in report.problems] or _notes(report)
            if notes:
                local = now.astimezone(_zone(hour.session.timezone))
                status = f"{local:%H:%M} {notes[-1]}  ·  {hint}"
            rows = _ordered_rows(application, hour.session_id)
            live.update(
                live_view(
                    hour.session, rows, now=now, status=status, height=max(10, out.size.height - 2)
                ),
                refresh=True,
            )


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _ordered_rows(application: Application, session_id: str) -> list[ThreadRow]:
    from sprechstunde_cli.domain.rules import by_waiting_time

    return list(by_waiting_time(application.store.thread_rows(session_id)))


@app.command()
def sessions(ctx: typer.Context) -> None:
    """List the sessions of the config and their state on this machine."""
    application: Application = ctx.obj
    config = application.config
    known = {s.id: s for s in application.store.sessions()}
    now = application.clock.now()
    # What this machine has seen (open, closed, purged), then what the config plans next.
    listed = [config.session(sid) for sid in known if _configured(config, sid)]
    listed += [s for s in config.upcoming(now)[:20] if s.id not in known]
    for spec in sorted(listed, key=lambda s: s.start):
        record = known.get(spec.id)
        state = record.state.value if record else "planned"
        application.say(
            f"{spec.id}  {spec.start:%Y-%m-%d %H:%M}–{spec.end:%H:%M} {spec.timezone}"
            f"  {spec.provider}  {state}"
        )


def _configured(config: Config, session_id: str) -> bool:
    try:
        config.session(session_id)
    except ConfigError:
        return False  # opened once, then removed from the config: nothing to list it by
    return True
