"""`sandbox send`: write to the office as a citizen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FollowSymlinksOpt, FromOpt
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _


def send(
    ctx: typer.Context,
    sender: FromOpt,
    text: Annotated[str, typer.Argument(help=_("Message text (the caption with a file)."))] = "",
    name: Annotated[str, typer.Option("--name", help=_("Display name the citizen set."))] = "",
    image: Annotated[Path | None, typer.Option("--image", help=_("Send this photo."))] = None,
    voice: Annotated[Path | None, typer.Option("--voice", help=_("Send this voice note."))] = None,
    file: Annotated[Path | None, typer.Option("--file", help=_("Send this file."))] = None,
    location: Annotated[
        str | None, typer.Option("--location", help=_("Share this place: LAT,LON in degrees."))
    ] = None,
    follow_symlinks: FollowSymlinksOpt = False,
) -> None:
    """Send a message to the office as a citizen."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import MessageKind
    from sprechstunde_cli.services import sandbox

    attached = [
        (p, k)
        for p, k in (
            (image, MessageKind.IMAGE),
            (voice, MessageKind.VOICE),
            (file, MessageKind.FILE),
        )
        if p is not None
    ]
    if len(attached) > 1:
        raise InputError(
            _("Send one file at a time."), _("Use only one of --image, --voice, --file.")
        )
    if location is not None:
        if attached:
            raise InputError(
                _("Send a place or a file, not both."), _("Drop --location or the file.")
            )
        shared = sandbox.send_location(
            application.paths, sender, location, name=name, stamp=application.clock.now
        )
        application.say(_("sent {message_id}").format(message_id=shared))
        return
    attachment = attached[0] if attached else None
    message_id = sandbox.send(
        application.paths,
        sender,
        text,
        name=name,
        attachment=attachment,
        follow_symlinks=follow_symlinks,
        stamp=application.clock.now,
    )
    application.say(_("sent {message_id}").format(message_id=message_id))
