"""`announce`: post the public announcements of upcoming sessions, each at most once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import ExitCode, InputError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.services.announce import AnnounceReport
    from sprechstunde_cli.services.plan import FileResult


def announce(
    ctx: typer.Context,
    session: Annotated[
        str | None,
        typer.Argument(help=_("Session id for --now, e.g. mittwoch-2026-12-16 (see `schedule`).")),
    ] = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due", help=_("Post every announcement whose time has come (run from cron).")
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Show what would be posted and when; post nothing."))
    ] = False,
    now_: Annotated[
        bool, typer.Option("--now", help=_("Post SESSION's announcement now (needs --offset)."))
    ] = False,
    offset: Annotated[
        str | None,
        typer.Option(
            "--offset", help=_("The announcement to post with --now, e.g. week or start.")
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help=_("With --now: post only to messenger, mastodon or email.")),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", min=1, help=_("With --dry-run: how many sessions to show."))
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
            _("Pick one: --due, --dry-run, or SESSION --now --offset NAME."),
            _("E.g. sprechstunde announce --due (cron), or sprechstunde announce --dry-run."),
        )
    if target is not None and not now_:
        raise InputError(
            _("--target works only with --now."), _("Add --now SESSION --offset NAME.")
        )
    if dry_run:
        _dry_run(application, count)
        return
    from sprechstunde_cli.services.announce.run import announce as run
    from sprechstunde_cli.system.credentials import require_token

    report, files = run(
        application.store,
        application.config,
        application.clock.now(),
        open_provider=application.provider,
        open_mailer=application.mailer,
        mastodon_token=lambda: require_token("mastodon", application.paths),
        transport=application.wiring.transport,
        actor=application.operator,
        by_hand=(session, offset, target) if session and offset else None,
    )
    if _report(application, report, files):
        raise typer.Exit(int(ExitCode.INCOMPLETE))


def _report(application: Application, report: AnnounceReport, files: list[FileResult]) -> int:
    """Print each outcome on the stream it belongs to; return the number of problems."""
    from sprechstunde_cli.render.planning import file_line, outcome_line

    problems = 0
    for o in report.outcomes:
        if o.status in ("sent", "resent", "done"):
            application.say(outcome_line(o))
        elif o.status in ("busy", "skipped"):
            application.warn(outcome_line(o))
        else:
            problems += 1
            application.fail(outcome_line(o))
    for result in files:
        problems += bool(result.error)
        (application.fail if result.error else application.say)(file_line(result))
    return problems


def _dry_run(application: Application, count: int) -> None:
    from sprechstunde_cli.render.planning import preview_lines
    from sprechstunde_cli.services.plan import preview

    config = application.config
    if not config.announce.channels:
        application.say(_("No announcement targets are configured: add [announce] to the config."))
    for row in preview(application.store, config, application.clock.now(), count):
        for line in preview_lines(row):
            application.say(line)
    files = config.announce.files
    for path in (files.ics, files.snippet):
        if path is not None:
            application.say(
                _("file: {path} (rewritten on every --due run when it changes)").format(path=path)
            )
