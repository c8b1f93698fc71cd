"""`sandbox send`: write to the office as a citizen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import FollowSymlinksOpt, FromOpt
from sprechstunde_cli.errors import InputError


def send(
    ctx: typer.Context,
    sender: FromOpt,
    text: Annotated[str, typer.Argument(help="Message text (the caption with a file).")] = "",
    name: Annotated[str, typer.Option("--name", help="Display name the citizen set.")] = "",
    image: Annotated[Path | None, typer.Option("--image", help="Send this photo.")] = None,
    voice: Annotated[Path | None, typer.Option("--voice", help="Send this voice note.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Send this file.")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Share this place: LAT,LON in degrees.")
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
        raise InputError("Send one file at a time.", "Use only one of --image, --voice, --file.")
    if location is not None:
        if attached:
            raise InputError("Send a place or a file, not both.", "Drop --location or the file.")
        shared = sandbox.send_location(
            application.paths, sender, location, name=name, stamp=application.clock.now
        )
        application.say(f"sent {shared}")
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
    application.say(f"sent {message_id}")
