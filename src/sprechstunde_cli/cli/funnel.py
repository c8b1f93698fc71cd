"""The one funnel that turns every error into an exit code, in a terminal and under CliRunner."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from sprechstunde_cli.cli.click_texts import bind_typer, translate_tree, translated
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.errors import SprechstundeError


class FunnelGroup(TyperGroup):
    """The root command group: every command runs through `invoke`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Before any help is read: Click's and Typer's words and the root's help in the
        # operator's language (cli/click_texts.py). A command built later (the lazy group in
        # cli/__init__.py) is translated when it is built.
        bind_typer()
        translate_tree(self)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as err:
            # A wrong root option (`sprechstunde --bogus`): translated, with its hint.
            raise hinted(translated(err)) from None

    def invoke(self, ctx: Any) -> Any:
        # Here, not at the top: `--help` and `--version` end before any command runs (startup).
        from sprechstunde_cli.errors import ExitCode, SprechstundeError

        try:
            return super().invoke(ctx)
        except UsageError as err:
            raise hinted(translated(err)) from None
        except SprechstundeError as err:
            report_error(err)
            raise typer.Exit(int(err.exit_code)) from None
        except BrokenPipeError:
            # The reader stopped reading (`threads | head`): it has what it wanted; no error.
            reader_gone()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            typer.echo(_("Interrupted."), err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("SPRECHSTUNDE_DEBUG"):
                raise
            if type(exc).__module__.startswith(("click", "typer")):
                # Usage errors keep Click's own message and exit code 2, plus a hint.
                add_usage_hint(exc)
                raise
            typer.echo(
                _(
                    "Error: unexpected {name}. This is a bug in sprechstunde; please report it. "
                    "Run with SPRECHSTUNDE_DEBUG=1 to see the traceback."
                ).format(name=type(exc).__name__),
                err=True,
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


def hinted(err: UsageError) -> UsageError:
    """`err` with its `Hint:` line (see `add_usage_hint`)."""
    add_usage_hint(err)
    return err


def add_usage_hint(exc: Exception) -> None:
    """Give a Click usage error (unknown option, missing argument, bad value) the `Hint:` line
    every other error has. Click prints the error itself, after the funnel has let it go, so
    the hint rides on the exception: its own `show` shadowed on the instance (Click offers no
    hook, and its exception classes are private to Typer)."""
    from sprechstunde_cli.errors import ExitCode

    ctx = getattr(exc, "ctx", None)
    show = getattr(exc, "show", None)
    if getattr(exc, "exit_code", None) != int(ExitCode.USAGE) or ctx is None or show is None:
        return
    if type(exc).__name__ == "NoArgsIsHelpError":
        return  # the help itself is shown: that is the hint
    if "show" in vars(exc):
        return  # already hinted on its way up through a nested group
    hint = _("Hint: {hint}").format(
        hint=_("Check the command line; '{command} --help' shows what it takes.").format(
            command=ctx.command_path
        )
    )

    def show_with_hint(file: Any = None) -> None:
        show(file)
        typer.echo(hint, err=file is None, file=file)

    vars(exc)["show"] = show_with_hint


def report_error(err: SprechstundeError) -> None:
    """`Error: …` and `Hint: …` on stderr; both may quote a server or a config, so redacted
    of secrets and cleaned."""
    from sprechstunde_cli.render.sanitize import clean
    from sprechstunde_cli.system.redact import redact

    typer.echo(_("Error: {message}").format(message=clean(redact(err.message))), err=True)
    if err.hint:
        typer.echo(_("Hint: {hint}").format(hint=clean(redact(err.hint))), err=True)


def reader_gone() -> None:
    """Point stdout at /dev/null once its reader has closed the pipe, so what is still buffered
    goes nowhere instead of failing again (Python would print "BrokenPipeError" at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real descriptor (a test's captured stdout)
        pass


def flush_stdout() -> None:
    """Write out what stdout still holds while an error can be handled (at exit it cannot)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        reader_gone()
