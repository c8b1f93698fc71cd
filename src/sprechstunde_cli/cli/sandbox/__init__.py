"""`sandbox`: act as citizens on the built-in local messenger (for rehearsals and tests)."""

from __future__ import annotations

import typer

from sprechstunde_cli.cli.sandbox import call, delete, edit, inbox, leave, send, status
from sprechstunde_cli.i18n import _

app = typer.Typer(
    help=_("Act as citizens on the built-in local messenger."),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.command("send")(send.send)
app.command("delete")(delete.delete)
app.command("edit")(edit.edit)
app.command("leave")(leave.leave)
app.command("call")(call.call)
app.command("inbox")(inbox.inbox)
app.command("status")(status.status)
