"""The one funnel that turns every error into an exit code, in a terminal and under CliRunner."""

from __future__ import annotations

import os
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from sprechstunde_cli.cli.click_texts import bind_typer, translate_tree, translated
from sprechstunde_cli.errors import ExitCode, SprechstundeError
from sprechstunde_cli.i18n import _


class FunnelGroup(TyperGroup):
    """The root command group: every command runs through `invoke`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typer has built every command by now: their help and Click's words in the operator's
        # language (cli/click_texts.py).
        bind_typer()
        translate_tree(self)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as err:
            raise translated(err) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as err:
            raise translated(err) from None
        except SprechstundeError as err:
            report_error(err)
            raise typer.Exit(int(err.exit_code)) from None
        except KeyboardInterrupt:
            typer.echo(_("Interrupted."), err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("SPRECHSTUNDE_DEBUG"):
                raise
            if type(exc).__module__.startswith(("click", "typer")):
                raise  # usage errors keep Click's own message and exit code 2
            typer.echo(
                _(
                    "Error: unexpected {name}. This is a bug in sprechstunde; please report it. "
                    "Run with SPRECHSTUNDE_DEBUG=1 to see the traceback."
                ).format(name=type(exc).__name__),
                err=True,
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


def report_error(err: SprechstundeError) -> None:
    """`Error: …` and `Hint: …` on stderr; both may quote a server or a config, so redacted
    of secrets and cleaned."""
    from sprechstunde_cli.render.sanitize import clean
    from sprechstunde_cli.system.redact import redact

    typer.echo(_("Error: {message}").format(message=clean(redact(err.message))), err=True)
    if err.hint:
        typer.echo(_("Hint: {hint}").format(hint=clean(redact(err.hint))), err=True)
