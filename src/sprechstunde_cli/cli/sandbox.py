"""`sandbox`: act as citizens on the built-in local messenger (for rehearsals and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.render.jsonout import dumps

sandbox_app = typer.Typer(
    help="Act as citizens on the built-in local messenger.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sandbox_app, name="sandbox")

FromOpt = Annotated[str, typer.Option("--from", help="The citizen's handle, e.g. c1.")]
FileOpt = Annotated[Path | None, typer.Option(exists=True, dir_okay=False, readable=True)]


@sandbox_app.command()
def send(
    ctx: typer.Context,
    sender: FromOpt,
    text: Annotated[str, typer.Argument(help="Message text (the caption with a file).")] = "",
    name: Annotated[str, typer.Option("--name", help="Display name the citizen set.")] = "",
    image: Annotated[
        Path | None, typer.Option("--image", exists=True, dir_okay=False, help="Send this photo.")
    ] = None,
    voice: Annotated[
        Path | None,
        typer.Option("--voice", exists=True, dir_okay=False, help="Send this voice note."),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", exists=True, dir_okay=False, help="Send this file.")
    ] = None,
) -> None:
    """Send a message to the office as a citizen."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.model import MessageKind
    from sprechstunde_cli.providers.local.server import LocalMessenger

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
    if not text and not attached:
        raise InputError("Nothing to send.", "Give a text, or --image/--voice/--file.")
    with LocalMessenger(application.paths.local_messenger_file) as messenger:
        if attached:
            path, kind = attached[0]
            from sprechstunde_cli.domain.media import sniff

            data = path.read_bytes()
            found = sniff(data, None)
            message_id = messenger.citizen_send(
                sender,
                text,
                name=name,
                kind=kind,
                media=data,
                mime=found.mime,
                filename=path.name,
                duration=found.duration,
            )
        else:
            message_id = messenger.citizen_send(sender, text, name=name)
    typer.echo(f"sent {message_id}")


@sandbox_app.command()
def call(
    ctx: typer.Context,
    sender: FromOpt,
    video: Annotated[bool, typer.Option("--video", help="Make it a video call.")] = False,
    name: Annotated[str, typer.Option("--name", help="Display name the citizen set.")] = "",
) -> None:
    """Call the office as a citizen (the office refuses calls)."""
    application: Application = ctx.obj
    from sprechstunde_cli.providers.local.server import LocalMessenger

    with LocalMessenger(application.paths.local_messenger_file) as messenger:
        call_id = messenger.citizen_call(sender, name=name, video=video)
    typer.echo(f"calling {call_id}")


@sandbox_app.command()
def inbox(
    ctx: typer.Context,
    handle: Annotated[str, typer.Option("--as", help="The citizen whose phone to read.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Show what a citizen's phone shows: their messages and the office's answers."""
    application: Application = ctx.obj
    from sprechstunde_cli.providers.local.server import LocalMessenger

    with LocalMessenger(application.paths.local_messenger_file) as messenger:
        entries = messenger.phone(handle)
    if as_json:
        for e in entries:
            typer.echo(
                dumps(
                    {
                        "id": e.id,
                        "type": e.type,
                        "from_office": e.incoming,
                        "kind": e.kind,
                        "text": e.text,
                        "at": e.at.isoformat(),
                        "mime": e.mime,
                        "size": e.size,
                        "call_state": e.call_state,
                        "read": e.read,
                    }
                )
            )
        return
    from sprechstunde_cli.render.views import phone_view

    application.console.print(phone_view(handle, entries))


@sandbox_app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Show the local messenger's status: the public notices the office posted."""
    application: Application = ctx.obj
    from sprechstunde_cli.providers.local.server import STATUS_CHAT, LocalMessenger

    with LocalMessenger(application.paths.local_messenger_file) as messenger:
        entries = messenger.phone(STATUS_CHAT)
    if as_json:
        for e in entries:
            typer.echo(dumps({"id": e.id, "text": e.text, "at": e.at.isoformat()}))
        return
    from sprechstunde_cli.render.views import phone_view

    application.console.print(phone_view("status", entries))
