"""The command line: Typer commands that parse, call one service, and render.

Every command lives in a module named after it, in a folder named after its part of the hour;
this module builds the root app and registers each one explicitly, in the order `--help` lists
them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli import __version__
from sprechstunde_cli.cli import demo, sandbox
from sprechstunde_cli.cli.application import Wiring
from sprechstunde_cli.cli.closing import close, purge, receipt, stats
from sprechstunde_cli.cli.funnel import FunnelGroup
from sprechstunde_cli.cli.hour import open as open_command
from sprechstunde_cli.cli.hour import sessions
from sprechstunde_cli.cli.planning import announce, schedule
from sprechstunde_cli.cli.setup import check, doctor, init, login, logout
from sprechstunde_cli.cli.threads import (
    claim,
    followup,
    media,
    release,
    reply,
    show,
    tail,
    threads,
)
from sprechstunde_cli.i18n import _

app = typer.Typer(
    name="sprechstunde",
    cls=FunnelGroup,
    help=_("Run a citizens' consultation hour (Bürgersprechstunde) over a messenger."),
    no_args_is_help=True,
    add_completion=False,
    # Plain Click help: Rich-formatted help costs ~90 ms on every --help (see bench/).
    rich_markup_mode=None,
    # Locals in tracebacks can hold tokens; the funnel reports errors instead.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sprechstunde {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="SPRECHSTUNDE_CONFIG",
            show_envvar=True,
            help=_("Config file to use instead of the platform default."),
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="SPRECHSTUNDE_DATA_DIR",
            show_envvar=True,
            help=_("Directory for the store, media and the local messenger."),
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            envvar="SPRECHSTUNDE_OPERATOR",
            show_envvar=True,
            help=_(
                "Your name as other operators see it (claims, replies). "
                "Default: office.operator from the config, else your login name."
            ),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Print the version and exit.")
        ),
    ] = False,
) -> None:
    """Run a citizens' consultation hour (Bürgersprechstunde) over a messenger."""
    from sprechstunde_cli.cli.application import Application
    from sprechstunde_cli.system.paths import resolve_paths

    # A caller may hand in its own wiring (tests: a fake clock or transport) as `obj`.
    wiring = ctx.obj if isinstance(ctx.obj, Wiring) else None
    ctx.obj = Application(resolve_paths(config, data_dir), wiring, operator_override=operator)


# The hour
app.command("open")(open_command.open_)
app.command()(threads.threads)
app.command()(show.show)
app.command()(reply.reply)
app.command()(claim.claim)
app.command()(release.release)
app.command()(tail.tail)
app.command()(media.media)
app.command()(followup.followup)
app.command()(sessions.sessions)
# The end of it
app.command()(close.close)
app.command()(purge.purge)
app.command()(receipt.receipt)
app.command()(stats.stats)
# Planning ahead
app.command()(schedule.schedule)
app.command()(announce.announce)
# Setting up
app.command()(init.init)
app.command()(check.check)
app.command()(doctor.doctor)
app.command()(login.login)
app.command()(logout.logout)
# Rehearsing
app.add_typer(sandbox.app, name="sandbox")
app.command()(demo.demo)


def main(wiring: Wiring | None = None) -> None:
    """The `sprechstunde` command; `wiring` replaces the clock or HTTP transport (tests)."""
    app(obj=wiring)
