"""Options and arguments several commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli.i18n import _

SessionOpt = Annotated[
    str | None,
    typer.Option("--session", "-s", help=_("Session id. Default: the session that is open now.")),
]
SessionArg = Annotated[
    str | None, typer.Argument(help=_("Session id. Default: the session that is open now."))
]
# `open` picks a session to open, not one that is open already.
HourSessionArg = Annotated[
    str | None,
    typer.Argument(help=_("Session id from the config. Default: the one whose hour is now.")),
]
ThreadArg = Annotated[int, typer.Argument(help=_("Thread number, as shown by `threads`."), min=1)]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON (one object per line)."))]
ExportOpt = Annotated[
    bool,
    typer.Option(
        "--export-handoffs",
        help=_(
            "Write undelivered hand-offs to the export file instead of waiting for e-mail delivery."
        ),
    ),
]
SkipOpt = Annotated[
    bool,
    typer.Option(
        "--skip-provider",
        help=_(
            "Delete only on this machine when the messenger cannot be reached "
            "(recorded in the receipt)."
        ),
    ),
]
JsonObjectOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON."))]
FromOpt = Annotated[str, typer.Option("--from", help=_("The citizen's handle, e.g. c1."))]
# Attachments are checked by the one reader (system/given.py read_given), not by Click's
# exists=/dir_okay=, so every refusal names the file and says what to do.
FollowSymlinksOpt = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help=_(
            "Attach a file reached through a link even when the link leads out of your home "
            "folder (refused otherwise)."
        ),
    ),
]
AttachOpt = Annotated[
    Path | None,
    typer.Option("--attach", "-a", help=_("Send this photo, voice note or file with the reply.")),
]
TemplateOpt = Annotated[
    str | None,
    typer.Option(
        "--template", "-t", help=_("Send the [templates] text of this name from the config.")
    ),
]


def _credential_name(value: str) -> str:
    from sprechstunde_cli.system import credentials

    try:
        return credentials.check_provider_name(value)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None


CredentialArg = Annotated[
    str,
    typer.Argument(
        help=_("Messenger the token belongs to, e.g. matrix or whatsapp-cloud."),
        callback=_credential_name,
        show_default=False,
    ),
]
