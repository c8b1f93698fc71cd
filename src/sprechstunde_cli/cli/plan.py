"""Planning commands: `schedule` (the calendar, ICS, website snippet) and `announce`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import ExitCode, InputError
from sprechstunde_cli.render.jsonout import dumps

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from sprechstunde_cli.services.announce import AnnounceReport
    from sprechstunde_cli.services.plan import CalendarRow, FileResult

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (one object per line).")]


@app.command()
def schedule(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", help="Also write the calendar to this iCalendar file (atomically)."),
    ] = None,
    snippet: Annotated[
        Path | None,
        typer.Option(
            "--snippet",
            help="Also write the German website snippet to this file "
            "(announce.files.sessions dates, default 3).",
        ),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", min=1, help="How many upcoming sessions to list.")
    ] = 10,
) -> None:
    """List the next sessions with their state, cancelled dates included."""
    application: Application = ctx.obj
    from sprechstunde_cli.services import plan

    config, now = application.config, application.clock.now()
    rows = plan.upcoming_rows(application.store, config, now, count)
    for row in rows:
        if as_json:
            typer.echo(dumps(_row_json(row)))
        else:
            application.say(_row_line(row))
    if not rows and not as_json:
        application.say(
            "No upcoming sessions. Add [sessions.<id>] or [schedules.<id>] to the config."
        )
    results = []
    if ics is not None:
        results.append(_file(ics, lambda: plan.write_ics(config, now, ics)))
    if snippet is not None:
        # The same text the files target writes from cron: announce.files.sessions dates.
        dates = config.announce.files.sessions
        results.append(_file(snippet, lambda: plan.write_snippet(config, now, snippet, dates)))
    for result in results:
        _report_file(application, result, to_stderr=as_json)


@app.command()
def announce(
    ctx: typer.Context,
    session: Annotated[
        str | None,
        typer.Argument(help="Session id for --now, e.g. mittwoch-2026-12-16 (see `schedule`)."),
    ] = None,
    due: Annotated[
        bool,
        typer.Option("--due", help="Post every announcement whose time has come (run from cron)."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be posted and when; post nothing.")
    ] = False,
    now_: Annotated[
        bool, typer.Option("--now", help="Post SESSION's announcement now (needs --offset).")
    ] = False,
    offset: Annotated[
        str | None,
        typer.Option("--offset", help="The announcement to post with --now, e.g. week or start."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="With --now: post only to messenger, mastodon or email."),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", min=1, help="With --dry-run: how many sessions to show.")
    ] = 3,
) -> None:
    """Post the public announcements of upcoming sessions (messenger, Mastodon, e-mail, files).

    Each announcement goes out at most once, however often and however overlapping this runs:
    run `sprechstunde announce --due` every few minutes from cron or a systemd timer.
    """
    application: Application = ctx.obj
    modes = [due, dry_run, now_]
    if sum(modes) != 1 or (now_ and not (session and offset)) or (session and not now_):
        raise InputError(
            "Pick one: --due, --dry-run, or SESSION --now --offset NAME.",
            "E.g. sprechstunde announce --due (cron), or sprechstunde announce --dry-run.",
        )
    if target is not None and not now_:
        raise InputError("--target works only with --now.", "Add --now SESSION --offset NAME.")
    if dry_run:
        _dry_run(application, count)
        return
    report, files = _post(application, session if now_ else None, offset, target)
    problems = _report(application, report, files)
    if problems:
        raise typer.Exit(int(ExitCode.INCOMPLETE))


def _post(
    application: Application, session: str | None, offset: str | None, target: str | None
) -> tuple[AnnounceReport, list[FileResult]]:
    import os
    import secrets

    from sprechstunde_cli.adapters import targets
    from sprechstunde_cli.services import announce as service
    from sprechstunde_cli.services.plan import publish_files
    from sprechstunde_cli.system.credentials import require_token

    config, store, now = application.config, application.store, application.clock.now()
    factory = targets.TargetFactory(
        config.announce,
        open_provider=application.provider,
        open_mailer=application.mailer,
        mastodon_token=lambda: require_token("mastodon", application.paths),
        transport=application.wiring.transport,
    )
    owner = f"{os.getpid()}-{secrets.token_hex(4)}"
    try:
        if session is not None and offset is not None:
            report = service.send_now(
                store,
                config,
                session,
                offset,
                now,
                factory,
                owner=owner,
                actor=application.operator,
                only=target,
            )
            return report, []
        report = service.run_due(
            store, config, now, factory, owner=owner, actor=application.operator
        )
    finally:
        factory.close()
    return report, publish_files(config, now)


def _report(application: Application, report: AnnounceReport, files: list[FileResult]) -> int:
    from sprechstunde_cli.render.sanitize import clean

    problems = 0
    for o in report.outcomes:
        what = f"{o.session_id} {o.offset} → {o.target}"
        detail = clean(o.detail, single_line=True)
        if o.status in ("sent", "resent"):
            again = o.status == "resent"
            note = " (repeated with the same key after an interrupted run)" if again else ""
            application.say(f"sent: {what}{note}")
        elif o.status == "done":
            application.say(f"{what}: {detail}; nothing posted.")
        elif o.status in ("busy", "skipped"):
            application.warn(f"{o.status}: {what}: {detail}")
        else:
            problems += 1
            application.err_console.print(f"{o.status}: {what}: {detail}", soft_wrap=True)
    for result in files:
        problems += bool(result.error)
        _report_file(application, result, to_stderr=False)
    return problems


def _dry_run(application: Application, count: int) -> None:
    from sprechstunde_cli.render.sanitize import clean
    from sprechstunde_cli.services.plan import preview

    config, now = application.config, application.clock.now()
    if not config.announce.channels:
        application.say("No announcement targets are configured: add [announce] to the config.")
    for row in preview(application.store, config, now, count):
        item = row.item
        at = item.due_at.astimezone(_zone(item.spec.timezone))
        application.say(
            f"{at:%Y-%m-%d %H:%M}  {item.spec.id}  {item.offset.name} → {item.target}  {row.state}"
        )
        application.say("    " + clean(row.text, single_line=True))
    files = config.announce.files
    for path in (files.ics, files.snippet):
        if path is not None:
            application.say(f"file: {path} (rewritten on every --due run when it changes)")


def _file(path: Path, write: Callable[[], bool]) -> FileResult:
    from sprechstunde_cli.services.plan import FileResult

    return FileResult(path, write())


def _report_file(application: Application, result: FileResult, *, to_stderr: bool) -> None:
    if result.error:
        application.err_console.print(f"failed: {result.path}: {result.error}", soft_wrap=True)
        return
    line = f"wrote {result.path}" if result.written else f"unchanged: {result.path}"
    if to_stderr:
        application.err_console.print(line, soft_wrap=True)
    else:
        application.say(line)


def _row_line(row: CalendarRow) -> str:
    from sprechstunde_cli.render.sanitize import clean

    spec = row.entry.spec
    zone = _zone(spec.timezone)
    start, end = spec.start.astimezone(zone), spec.end.astimezone(zone)
    state = row.state
    if row.entry.cancelled:
        why = f"holiday: {row.entry.holiday}" if row.entry.holiday else "skipped"
        state = f"cancelled ({clean(why, single_line=True)})"
    elif row.entry.moved:
        state += " (moved)"
    return (
        f"{spec.id}  {_WEEKDAYS[start.weekday()]} {start:%Y-%m-%d %H:%M}–{end:%H:%M} "
        f"{spec.timezone}  {spec.provider}  {state}"
    )


def _row_json(row: CalendarRow) -> dict[str, object]:
    entry, spec = row.entry, row.entry.spec
    return {
        "id": spec.id,
        "schedule": entry.schedule or None,
        "title": spec.title,
        "official": spec.official,
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "timezone": spec.timezone,
        "provider": spec.provider,
        "state": row.state,
        "cancelled": entry.cancelled,
        "holiday": entry.holiday or None,
        "moved": entry.moved,
    }


def _zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo  # not at import time: `--help` needs no time zones

    return ZoneInfo(name)
