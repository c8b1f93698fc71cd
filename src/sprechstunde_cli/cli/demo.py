"""`demo`: rehearse a whole session on the local messenger in a throw-away data dir."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application

if TYPE_CHECKING:
    from rich.text import Text


@app.command()
def demo(
    ctx: typer.Context,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast", help="Run the script in a few seconds (for tests) instead of about a minute."
        ),
    ] = False,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir",
            file_okay=False,
            help="Use this directory instead of a fresh temporary one; it is left in place.",
        ),
    ] = None,
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data",
            help="Skip the final delete so the session can be inspected (with --workdir).",
        ),
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help="Print events line by line instead of the live view.")
    ] = False,
) -> None:
    """Rehearse a complete session with scripted citizens on the built-in local messenger."""
    application: Application = ctx.obj
    import shutil
    import tempfile

    from sprechstunde_cli.providers.local.server import LocalMessenger
    from sprechstunde_cli.services.demo import demo_config, run_demo
    from sprechstunde_cli.services.purge import Places
    from sprechstunde_cli.store import Store
    from sprechstunde_cli.system.files import private_dir
    from sprechstunde_cli.system.paths import Paths

    base = private_dir(workdir) if workdir else Path(tempfile.mkdtemp(prefix="sprechstunde-demo-"))
    paths = Paths(
        config_file=base / "config.toml", data_dir=base / "data", log_dir=base / "data" / "log"
    )
    speed = 0.03 if fast else 1.0
    clock = application.clock
    config = demo_config(clock.now(), speed)
    out = application.console
    application.say(f"Rehearsal in {base} — nothing here touches a real messenger.")
    store = Store.open(paths.store_file, paths.key_dir)
    messenger = LocalMessenger(paths.local_messenger_file)
    view = _View(application, store, live=out.is_terminal and not plain and not fast)
    try:
        with view:
            result = run_demo(
                store,
                messenger,
                config,
                clock,
                speed=speed,
                places=Places(
                    data_dir=paths.data_dir,
                    session_dir=paths.session_dir("probe"),
                    log_file=paths.log_file,
                    export_dir=base / "handoffs",
                ),
                keep=keep_data,
                notify=view.notify,
            )
    finally:
        messenger.close()
        store.close()
        if workdir is None:
            shutil.rmtree(base, ignore_errors=True)
    application.say(
        f"Done: {result.threads} threads, {result.received} messages in, {result.replies} "
        f"replies, {result.calls_refused} call(s) refused, {result.late} late message(s) "
        "turned away."
    )
    if result.close:
        application.say(f"Closing words went to {result.close.closing_sent} unanswered thread(s).")
    if result.receipt:
        (remote,) = result.receipt["providers"]
        application.say(
            f"Deleted at the messenger: {remote['confirmed']} of {remote['requested']} messages "
            f"(both sides); local data deleted and verified "
            f"({result.receipt['verification']['result']}); session key destroyed."
        )
    elif keep_data:
        application.say(
            f"Data kept for inspection in {base} (run `sprechstunde --data-dir "
            f"{base / 'data'} sandbox inbox --as anna`)."
        )


class _View:
    """Shows the rehearsal: the live view in a terminal, plain lines otherwise."""

    def __init__(self, application: Application, store: Any, live: bool) -> None:
        self.application = application
        self.store = store
        self.live: Any = None
        self.status = "Rehearsal — Ctrl-C stops it"
        if live:
            from rich.live import Live

            self.live = Live(console=application.console, auto_refresh=False)

    def __enter__(self) -> _View:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def notify(self, kind: str, payload: Any) -> None:
        if self.live is not None:
            # The latest citizen or office action narrates under the live table.
            said = [line.plain.strip() for line in _lines(kind, payload)]
            if kind in ("citizen", "reply", "phase") and said:
                self.status = said[-1]
            if kind == "step":
                self._frame()
            return
        for line in _lines(kind, payload):
            self.application.console.print(line, soft_wrap=True)

    def _frame(self) -> None:
        from sprechstunde_cli.domain.rules import by_waiting_time
        from sprechstunde_cli.render.views import live_view

        session = self.store.require_session("probe")
        now = self.application.clock.now()
        rows = by_waiting_time(self.store.thread_rows(session.id))
        height = max(10, self.application.console.size.height - 2)
        self.live.update(
            live_view(session, rows, now=now, status=self.status, height=height),
            refresh=True,
        )


def _lines(kind: str, payload: Any) -> list[Text]:
    """Plain-text narration of one demo event (no terminal, or --plain)."""
    from sprechstunde_cli.render.views import citizen_text

    if kind == "phase":
        return [citizen_text(str(payload))]
    if kind == "citizen":
        what = {"call": "calls", "image": "sends a photo", "voice": "sends a voice note"}
        said = f": {payload.text}" if payload.text else ""
        line = f"citizen {payload.handle} {what.get(payload.action, 'writes')}{said}"
        return [citizen_text(line, single_line=True, limit=100)]
    if kind == "reply":
        number, cue = payload
        return [citizen_text(f"office → thread {number}: {cue.text}", single_line=True, limit=100)]
    if kind != "step":
        return []
    lines = [f"  thread {n} opened, greeting queued" for n in payload.intake.new_threads]
    if payload.intake.calls_refused:
        lines.append("  call refused, refusal text queued")
    if payload.intake.late:
        lines.append("  message after the end: away reply, nothing kept")
    if payload.last_call_sent:
        lines.append(f"  last call to {payload.last_call_sent} waiting thread(s)")
    return [citizen_text(line) for line in lines]
