"""`media`: list a thread's photos, voice notes and files, or open one."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import SessionOpt, ThreadArg
from sprechstunde_cli.i18n import _


def media(
    ctx: typer.Context,
    number: ThreadArg,
    index: Annotated[
        int | None,
        typer.Argument(help=_("Which attachment (as listed); leave out to list them."), min=1),
    ] = None,
    session: SessionOpt = None,
) -> None:
    """List a thread's photos, voice notes and documents, or open one with hour.media_command."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.formats import media_label
    from sprechstunde_cli.services.current import current_session
    from sprechstunde_cli.services.media import attachments, open_attachment

    store = application.store
    record = current_session(store, session)
    if index is None:
        items = attachments(store, record, number)
        if not items:
            application.say(_("Thread {number} has no attachments.").format(number=number))
        for i, msg in enumerate(items, start=1):
            name = msg.media.name if msg.media else ""
            application.say(
                f"[{i}] {media_label(msg.kind, msg.media)}" + (f"  {name}" if name else "")
            )
        return
    command = application.config.hour.media_command
    session_dir = application.paths.session_dir(record.id)
    plain = open_attachment(store, record, session_dir, number, index, command)
    if not command:
        application.say(str(plain))
