"""Click's and Typer's own words (help headings, usage errors) in the operator's language.

Typer asks gettext for its words itself (`typer/core.py`: "Options", "Commands", "required" …),
from gettext's global domain: `bind_typer` points that domain at our catalogue. The Click that
Typer ships writes its words as plain literals, so a usage error's message is matched against
the English texts below and rebuilt from the translation, and the help formatter and the error
display (`TranslatedContext`, `TranslatedUsageError`) say "Usage:", "Try … for help." and
"Error:" through `_()`. Every text here is in the catalogue like ours;
`tests/cli/test_language.py` checks each one still is what Click or Typer writes.
"""

from __future__ import annotations

import re
from functools import cache
from typing import IO, Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter

from sprechstunde_cli.i18n import DOMAIN, LOCALE_DIR, N_, _, language

# Asked for by Typer through gettext.gettext: only marked here, for the catalogue.
TYPER_TEXTS = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
)

# Click's messages, as it writes them with the values in braces. Tried in this order; a value
# named `reason` is itself one of these (BadParameter wraps the type's complaint).
CLICK_MESSAGES = (
    N_("Missing argument {param}."),
    N_("Missing option {param}."),
    N_("Missing parameter {param}."),
    N_("No such option: {name} (Possible options: {names})"),
    N_("No such option: {name}"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Invalid value for {param}: {reason}"),
    N_("Invalid value: {reason}"),
    N_("{value} is not a valid {kind}."),
    N_("{value} is not in the range {range}."),
    N_("{value} is not a valid boolean. Recognized values: {states}"),
    N_("Option {name} requires an argument."),
    N_("Option {name} does not take a value."),
)
USAGE = N_("Usage:")
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")
HELP_OPTION = N_("Show this message and exit.")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR = N_("Error: {message}")


def bind_typer() -> None:
    """Point gettext's global domain, which Typer's own words use, at our catalogue and the
    language `sprechstunde_cli.i18n` chose (gettext itself would read only the C library's
    variables, not `SPRECHSTUNDE_LANG`)."""
    import gettext
    import os

    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    # gettext.gettext reads LANGUAGE first: the choice holds for Typer's words too.
    os.environ["LANGUAGE"] = language()


@cache
def _pattern(msgid: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)(?:![rs])?\}", msgid)
    # split() alternates literal text and placeholder names.
    return re.compile(
        "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
    )


def translate_message(message: str) -> str:
    """Click's English `message` in the operator's language (unchanged if it is none we know)."""
    for msgid in CLICK_MESSAGES:
        found = _pattern(msgid).fullmatch(message)
        if found:
            values = found.groupdict()
            if "reason" in values:
                values["reason"] = translate_message(values["reason"])
            return _(msgid).replace("!r}", "}").format(**values)
    return message


class TranslatedFormatter(HelpFormatter):
    """Click's help formatter with "Usage:" and the help option's text translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{_(USAGE)} " if prefix is None else prefix)

    def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
        # Click builds the help option's row itself, with its English text.
        rows = [(term, _(text) if text == HELP_OPTION else text) for term, text in rows]
        super().write_dl(rows, *args, **kwargs)


class TranslatedContext(typer.Context):
    formatter_class = TranslatedFormatter


class TranslatedUsageError(UsageError):
    """A usage error shown in the operator's language; same exit code (2) as Click's."""

    def show(self, file: IO[Any] | None = None) -> None:
        lines = []
        if self.ctx is not None:
            lines.append(self.ctx.get_usage())
            if self.ctx.command.get_help_option(self.ctx) is not None:
                option = self.ctx.help_option_names[0]
                lines.append(_(TRY_HELP).format(command=self.ctx.command_path, option=option))
            lines.append("")
        lines.append(_(ERROR).format(message=self.format_message()))
        # The message quotes what was typed: cleaned like every line the funnel prints.
        from sprechstunde_cli.render.sanitize import clean

        typer.echo("\n".join(clean(line) for line in lines), err=True)


def translated(err: UsageError) -> UsageError:
    """`err` as a `TranslatedUsageError`, or as it is if it is the help shown for no arguments."""
    if isinstance(err, NoArgsIsHelpError | TranslatedUsageError):
        return err
    return TranslatedUsageError(translate_message(err.format_message()), err.ctx)


def translate_tree(command: Any) -> None:
    """Give `command` and every command under it translated help and the translated context.
    A command's help is its function's docstring, which is a msgid in the catalogue."""
    command.context_class = TranslatedContext
    if command.help:
        command.help = _(command.help)
    if command.options_metavar == OPTIONS_METAVAR:
        command.options_metavar = _(OPTIONS_METAVAR)
    if getattr(command, "subcommand_metavar", None) == SUBCOMMAND_METAVAR:
        command.subcommand_metavar = _(SUBCOMMAND_METAVAR)
    for sub in getattr(command, "commands", {}).values():
        translate_tree(sub)
