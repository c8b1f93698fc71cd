"""`demo`: rehearse a whole session on the local messenger in a throw-away folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from rich.live import Live
    from rich.text import Text

    from sprechstunde_cli.services.demo import DemoResult, Event


def demo(
    ctx: typer.Context,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help=_("Run the script in a few seconds (for tests) instead of about a minute."),
        ),
    ] = False,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir",
            file_okay=False,
            help=_("Use this directory instead of a fresh temporary one; it is left in place."),
        ),
    ] = None,
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data",
            help=_("Skip the final delete so the session can be inspected (with --workdir)."),
        ),
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help=_("Print events line by line instead of the live view."))
    ] = False,
) -> None:
    """Rehearse a complete session with scripted citizens on the built-in local messenger."""
    application: Application = ctx.obj
    import shutil
    import tempfile

    from sprechstunde_cli.services.demo import rehearse
    from sprechstunde_cli.system.files import private_dir

    base = private_dir(workdir) if workdir else Path(tempfile.mkdtemp(prefix="sprechstunde-demo-"))
    application.say(
        _("Rehearsal in {base} — nothing here touches a real messenger.").format(base=base)
    )
    view = _View(application, live=application.console.is_terminal and not plain and not fast)
    try:
        with view:
            result = rehearse(
                base,
                application.clock,
                application.wiring.timer,
                speed=0.03 if fast else 1.0,
                keep=keep_data,
                notify=view.notify,
            )
    finally:
        if workdir is None:
            shutil.rmtree(base, ignore_errors=True)
    _summary(application, result, base, keep_data)


def _summary(application: Application, result: DemoResult, base: Path, kept: bool) -> None:
    application.say(
        _(
            "Done: {threads} threads, {received} messages in, {replies} replies, "
            "{calls_refused} call(s) refused, {late} late message(s) turned away."
        ).format(
            threads=result.threads,
            received=result.received,
            replies=result.replies,
            calls_refused=result.calls_refused,
            late=result.late,
        )
    )
    application.say(
        _("Closing words went to {closing_sent} waiting thread(s).").format(
            closing_sent=result.close.closing_sent
        )
    )
    if result.receipt:
        (remote,) = result.receipt.providers
        application.say(
            _(
                "Deleted at the messenger: {confirmed} of {requested} messages (both "
                "sides); local data deleted and verified ({result}); session key "
                "destroyed."
            ).format(
                confirmed=remote.confirmed,
                requested=remote.requested,
                result=result.receipt.verification.result,
            )
        )
    elif kept:
        application.say(
            _(
                "Data kept for inspection in {base} (run `sprechstunde --data-dir "
                "{value} sandbox inbox --as anna`)."
            ).format(base=base, value=base / "data")
        )


class _View:
    """Shows the rehearsal: the live view in a terminal, plain lines otherwise."""

    def __init__(self, application: Application, live: bool) -> None:
        self.application = application
        self.live: Live | None = None
        self.status = _("Rehearsal — Ctrl-C stops it")
        if live:
            self.live = application.live()

    def __enter__(self) -> _View:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def notify(self, event: Event) -> None:
        from sprechstunde_cli.services.demo import Stepped

        lines = _narration(event)
        if self.live is None:
            for line in lines:
                self.application.show(line, soft_wrap=True)
            return
        # The latest citizen or office action narrates under the live table.
        if not isinstance(event, Stepped):
            if lines:
                self.status = lines[-1].plain.strip()
            return
        from sprechstunde_cli.render.threads import live_view

        height = max(10, self.application.console.size.height - 2)
        now = self.application.clock.now()
        status = self.application.redacted(self.status)
        frame = live_view(event.session, event.rows, now=now, status=status, height=height)
        self.live.update(frame, refresh=True)


def _narration(event: Event) -> list[Text]:
    """One rehearsal event in words, for `demo` without a live view."""
    from sprechstunde_cli.render import hour
    from sprechstunde_cli.render.console import citizen_text
    from sprechstunde_cli.services.demo import CitizenActed, Phase, Replied, Stepped

    if isinstance(event, Phase):
        return [citizen_text(event.text)]
    if isinstance(event, CitizenActed):
        return [hour.citizen_acted_line(event.cue.handle, event.cue.action, event.cue.text)]
    if isinstance(event, Replied):
        return [hour.office_replied_line(event.thread, event.cue.text)]
    assert isinstance(event, Stepped)
    return [citizen_text(line) for line in hour.rehearsal_step_lines(event.report)]
