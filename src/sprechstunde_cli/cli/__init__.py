"""The command line: Typer commands that parse, call one service, and render.

Every command lives in a module named after it, in a folder named after its part of the hour;
this module builds the root app and names each one in `COMMANDS`, in the order `--help` lists
them, with its help; a command's module is imported only when that command runs.
"""

# No `from __future__ import annotations` here, unlike everywhere else: Typer reads the root's
# signature twice on every start, and string annotations would be compiled and evaluated each
# time (~1.5 ms of every command, `--help` and `--version`); these are evaluated once, here.
import importlib
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sprechstunde_cli import __version__
from sprechstunde_cli.cli.click_texts import translate_tree
from sprechstunde_cli.cli.funnel import FunnelGroup
from sprechstunde_cli.i18n import N_, _

if TYPE_CHECKING:
    from sprechstunde_cli.cli.application import Wiring

# Every command: its name → (its module under `sprechstunde_cli.cli`, the function or, for a
# group, the Typer app in it, its help), in the order `--help` lists them. A module is imported
# only when its command runs: `--version`, `--help` and a command's own run build nothing else
# (building all of them cost ~17 ms of every start, importing them for their help ~6 ms of
# `--help`). The help is the command's docstring (a group's `help=`), the msgid Typer shows on
# its own help page, written here once more so the root's list needs no import;
# tests/architecture/test_command_help.py fails when the two differ.
COMMANDS: dict[str, tuple[str, str, str]] = {
    # The hour
    "open": (
        "hour.open",
        "open_",
        N_("Open the consultation hour: receive, greet, and show the threads live."),
    ),
    "threads": (
        "threads.threads",
        "threads",
        N_("List the session's threads, longest-waiting first."),
    ),
    "show": ("threads.show", "show", N_("Show one thread's messages and mark them read.")),
    "reply": ("threads.reply", "reply", N_("Answer a thread (and claim it if nobody has).")),
    "claim": (
        "threads.claim",
        "claim",
        N_("Claim a thread so other operators see you are answering it."),
    ),
    "release": ("threads.release", "release", N_("Release your claim on a thread.")),
    "tail": ("threads.tail", "tail", N_("Follow new messages of the open session as they arrive.")),
    "media": (
        "threads.media",
        "media",
        N_(
            "List a thread's photos, voice notes and documents, or open one with "
            "hour.media_command."
        ),
    ),
    "followup": (
        "threads.followup",
        "followup",
        N_("Hand a thread's question to a department, which answers the citizen by e-mail."),
    ),
    "tag": (
        "threads.tag",
        "tag",
        N_("Count a thread under a topic; `stats` shows the counts, also after the purge."),
    ),
    "sessions": (
        "hour.sessions",
        "sessions",
        N_("List the sessions of the config and their state on this machine."),
    ),
    "standby": (
        "hour.standby",
        "standby",
        N_("Answer citizens between hours with the away text, then delete their messages."),
    ),
    # The end of it
    "close": (
        "closing.close",
        "close",
        N_("Close the hour: closing words to every waiting thread, hand-offs out, intake stopped."),
    ),
    "purge": (
        "closing.purge",
        "purge",
        N_(
            "Delete a closed session at the messenger and on this machine, verify, write a receipt."
        ),
    ),
    "receipt": (
        "closing.receipt",
        "receipt",
        N_("Show the deletion receipt (Löschprotokoll) of a purged session."),
    ),
    "stats": (
        "closing.stats",
        "stats",
        N_("Show figures for the press release: threads, answers, hand-offs, waiting time."),
    ),
    # Planning ahead
    "schedule": (
        "planning.schedule",
        "schedule",
        N_("List the next sessions with their state, cancelled dates included."),
    ),
    "announce": (
        "planning.announce",
        "announce",
        N_(
            "Post the public announcements of upcoming sessions (messenger, Mastodon, e-mail, "
            "files).\n\nEach announcement goes out at most once, however often and however "
            "overlapping this runs:\nrun `sprechstunde announce --due` every few minutes from "
            "cron or a systemd timer."
        ),
    ),
    # Setting up
    "init": (
        "setup.init",
        "init",
        N_("Write a commented example config to the config path (see --config)."),
    ),
    "check": ("setup.check", "check", N_("Validate the config file and summarise it.")),
    "doctor": (
        "setup.doctor",
        "doctor",
        N_(
            "Check the messenger of the current or next session: reachable, paired, safely set "
            "up.\n\nPrints OK and any warnings; a problem that stops the hour is an error with "
            "its fix, and\nthe exit code says which kind (6 key, 7 messenger, 3 config)."
        ),
    ),
    "login": (
        "setup.login",
        "login",
        N_(
            "Store a provider's access token in the OS keyring.\n\nThe token is asked for with a "
            "hidden prompt (or read from stdin with --token-stdin); it is\nnever taken as an "
            "argument, so it stays out of shell history and process lists. On servers\nand in "
            "CI, set SPRECHSTUNDE_<PROVIDER>_TOKEN instead."
        ),
    ),
    "logout": ("setup.logout", "logout", N_("Delete a provider's stored access token.")),
    # Rehearsing
    "demo": (
        "demo",
        "demo",
        N_("Rehearse a complete session with scripted citizens on the built-in local messenger."),
    ),
    "sandbox": ("sandbox", "app", N_("Act as citizens on the built-in local messenger.")),
}


class LazyGroup(FunnelGroup):
    """The root group: builds a command from `COMMANDS` the first time it is asked for."""

    # While `--help` lists the commands it needs only each one's help, which `COMMANDS` holds:
    # building a command imports its module and reads its whole signature (~1-3 ms each).
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, attr, text = COMMANDS[cmd_name]
        if self._listing:
            # Click cuts the help to its first sentence, as it would the built command's.
            return typer.core.TyperCommand(name=cmd_name, help=_(text))
        target = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        self.commands[cmd_name] = command = _build(cmd_name, target)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def _build(name: str, target: Any) -> Any:
    # Built the way Typer builds an app's commands when it makes the Click group.
    command: Any
    if isinstance(target, typer.Typer):
        for registered in target.registered_commands:
            _evaluate_annotations(registered.callback)
        info = typer.models.TyperInfo(target, name=name)
        command = typer.main.get_group_from_info(
            info, pretty_exceptions_short=False, rich_markup_mode=None, suggest_commands=True
        )
    else:
        _evaluate_annotations(target)
        command = typer.main.get_command_from_info(
            typer.models.CommandInfo(name=name, callback=target),
            pretty_exceptions_short=False,
            rich_markup_mode=None,
        )
    # Its help (the docstring, a msgid) and Click's words in the operator's language.
    translate_tree(command)
    return command


def _evaluate_annotations(function: Any) -> None:
    # Typer reads a signature twice and compiles and evaluates each string annotation (`from
    # __future__ import annotations`) both times: evaluated once here, as its `eval_str` would
    # (0.1-1 ms of a command's start).
    if function is not None:
        function.__annotations__ = inspect.get_annotations(function, eval_str=True)


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


def main(wiring: "Wiring | None" = None) -> None:
    """The `sprechstunde` command; `wiring` replaces the clock or HTTP transport (tests)."""
    import gc

    from sprechstunde_cli.cli.funnel import flush_stdout

    # What is imported so far (Typer, Click, this package's root) lives as long as the process,
    # so no collection needs to look at it again. Left to the collector, each full collection
    # walks all of it, and the imports a command makes and the rows a view builds set off
    # several: ~10 ms of `threads` at 2,000 threads (docs/PERFORMANCE.md).
    gc.freeze()

    try:
        app(obj=wiring)
    finally:
        # A pipe closed early (`threads | head`) shows only now, at the last flush: quietly.
        flush_stdout()
