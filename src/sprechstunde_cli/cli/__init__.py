"""The command line: Typer commands that parse, call one service, and render.

Every command lives in a module named after it, in a folder named after its part of the hour;
this module builds the root app and names each one in `COMMANDS`, in the order `--help` lists
them; a command's module is imported only when it runs or a help page lists it.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sprechstunde_cli import __version__
from sprechstunde_cli.cli.click_texts import translate_tree
from sprechstunde_cli.cli.funnel import FunnelGroup
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Wiring

# Every command: its name → (its module under `sprechstunde_cli.cli`, the function or, for a
# group, the Typer app in it), in the order `--help` lists them. A module is imported only when
# its command runs or a help page lists it: `--version` and a command's own run build nothing
# else (building all of them cost ~17 ms of every start).
COMMANDS: dict[str, tuple[str, str]] = {
    # The hour
    "open": ("hour.open", "open_"),
    "threads": ("threads.threads", "threads"),
    "show": ("threads.show", "show"),
    "reply": ("threads.reply", "reply"),
    "claim": ("threads.claim", "claim"),
    "release": ("threads.release", "release"),
    "tail": ("threads.tail", "tail"),
    "media": ("threads.media", "media"),
    "followup": ("threads.followup", "followup"),
    "tag": ("threads.tag", "tag"),
    "sessions": ("hour.sessions", "sessions"),
    "standby": ("hour.standby", "standby"),
    # The end of it
    "close": ("closing.close", "close"),
    "purge": ("closing.purge", "purge"),
    "receipt": ("closing.receipt", "receipt"),
    "stats": ("closing.stats", "stats"),
    # Planning ahead
    "schedule": ("planning.schedule", "schedule"),
    "announce": ("planning.announce", "announce"),
    # Setting up
    "init": ("setup.init", "init"),
    "check": ("setup.check", "check"),
    "doctor": ("setup.doctor", "doctor"),
    "login": ("setup.login", "login"),
    "logout": ("setup.logout", "logout"),
    # Rehearsing
    "demo": ("demo", "demo"),
    "sandbox": ("sandbox", "app"),
}


class LazyGroup(FunnelGroup):
    """The root group: builds a command from `COMMANDS` the first time it is asked for."""

    # While `--help` lists the commands it needs only each one's first help line: building a
    # command reads its whole signature (~1-3 ms each, most of a plain `--help`).
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        target = _target(cmd_name)
        if self._listing:
            return typer.core.TyperCommand(name=cmd_name, help=_help_of(target))
        self.commands[cmd_name] = command = _build(cmd_name, target)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def _target(name: str) -> Any:
    module, attr = COMMANDS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), attr)


def _help_of(target: Any) -> str | None:
    # What Typer makes the help of a command (its docstring, a msgid) or of a group (its
    # `help=`), in the operator's language as `_build` gives it.
    text: str | None = (
        typer.main.solve_typer_info_help(typer.models.TyperInfo(target))
        if isinstance(target, typer.Typer)
        else inspect.getdoc(target)
    )
    return _(text) if text else text


def _build(name: str, target: Any) -> Any:
    # Built the way Typer builds an app's commands when it makes the Click group.
    command: Any
    if isinstance(target, typer.Typer):
        info = typer.models.TyperInfo(target, name=name)
        command = typer.main.get_group_from_info(
            info, pretty_exceptions_short=False, rich_markup_mode=None, suggest_commands=True
        )
    else:
        command = typer.main.get_command_from_info(
            typer.models.CommandInfo(name=name, callback=target),
            pretty_exceptions_short=False,
            rich_markup_mode=None,
        )
    # Its help (the docstring, a msgid) and Click's words in the operator's language.
    translate_tree(command)
    return command


app = typer.Typer(
    name="sprechstunde",
    cls=LazyGroup,
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
    from sprechstunde_cli.cli.application import Application, Wiring
    from sprechstunde_cli.system.paths import resolve_paths

    # A caller may hand in its own wiring (tests: a fake clock or transport) as `obj`.
    wiring = ctx.obj if isinstance(ctx.obj, Wiring) else None
    ctx.obj = Application(resolve_paths(config, data_dir), wiring, operator_override=operator)


def main(wiring: Wiring | None = None) -> None:
    """The `sprechstunde` command; `wiring` replaces the clock or HTTP transport (tests)."""
    from sprechstunde_cli.cli.funnel import flush_stdout

    try:
        app(obj=wiring)
    finally:
        # A pipe closed early (`threads | head`) shows only now, at the last flush: quietly.
        flush_stdout()
