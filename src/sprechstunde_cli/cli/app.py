"""The root Typer app and the one funnel that turns errors into exit codes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from sprechstunde_cli import __version__
from sprechstunde_cli.errors import ExitCode, SprechstundeError


class _FunnelGroup(TyperGroup):
    """Every command runs through here, in a terminal and under CliRunner alike."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SprechstundeError as err:
            from sprechstunde_cli.cli.application import report_error

            report_error(err)
            raise typer.Exit(int(err.exit_code)) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted.", err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("SPRECHSTUNDE_DEBUG"):
                raise
            if type(exc).__module__.startswith(("click", "typer")):
                raise  # usage errors keep Click's own message and exit code 2
            typer.echo(
                f"Error: unexpected {type(exc).__name__}. This is a bug in sprechstunde; "
                "please report it. Run with SPRECHSTUNDE_DEBUG=1 to see the traceback.",
                err=True,
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


app = typer.Typer(
    name="sprechstunde",
    cls=_FunnelGroup,
    help="Run a citizens' consultation hour (Bürgersprechstunde) over a messenger.",
    no_args_is_help=True,
    add_completion=False,
    # Plain Click help: Rich-formatted help costs ~90 ms on every --help (see bench/).
    rich_markup_mode=None,
    # Locals in tracebacks can hold tokens; the funnel above reports errors instead.
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
            help="Config file to use instead of the platform default.",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="SPRECHSTUNDE_DATA_DIR",
            show_envvar=True,
            help="Directory for the store, media and the local messenger.",
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            envvar="SPRECHSTUNDE_OPERATOR",
            show_envvar=True,
            help="Your name as other operators see it (claims, replies). "
            "Default: office.operator from the config, else your login name.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Run a citizens' consultation hour (Bürgersprechstunde) over a messenger."""
    from sprechstunde_cli.cli.application import Application, Wiring
    from sprechstunde_cli.system.paths import resolve_paths

    # A caller may hand in its own wiring (tests: a fake clock or transport) as `obj`.
    wiring = ctx.obj if isinstance(ctx.obj, Wiring) else None
    ctx.obj = Application(resolve_paths(config, data_dir), wiring, operator_override=operator)
