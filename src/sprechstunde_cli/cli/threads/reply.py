"""`reply`: answer a thread, with a text, a template, $EDITOR, and an attachment."""

from __future__ import annotations

from typing import Annotated

import typer

from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.cli.options import (
    AttachOpt,
    FollowSymlinksOpt,
    SessionOpt,
    TemplateOpt,
    ThreadArg,
)
from sprechstunde_cli.errors import ExitCode, InputError
from sprechstunde_cli.i18n import _


def reply(
    ctx: typer.Context,
    number: ThreadArg,
    text: Annotated[
        str | None, typer.Argument(help=_("The answer. Leave out to write it in $EDITOR."))
    ] = None,
    template: TemplateOpt = None,
    attach: AttachOpt = None,
    follow_symlinks: FollowSymlinksOpt = False,
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Reply even if another operator has claimed the thread.")),
    ] = False,
    session: SessionOpt = None,
) -> None:
    """Answer a thread (and claim it if nobody has)."""
    application: Application = ctx.obj
    from sprechstunde_cli.cli import sections
    from sprechstunde_cli.services import reply as replying
    from sprechstunde_cli.services.current import current_session

    record = current_session(application.store, session)
    if text is not None and template is not None:
        raise InputError(_("Give either a text or --template, not both."), _("Drop one of them."))
    if template is not None:
        text = replying.template_text(application.config, record, template)
    if text is None and attach is None:
        text = _write_in_editor(application, record.id, number)
    with application.provider(record.provider) as provider:
        result = replying.reply(
            application.store,
            provider,
            record,
            number,
            text or "",
            operator=application.operator,
            now=application.clock.now(),
            media_dir=application.paths.session_dir(record.id) / "media",
            # Only a file needs the size limit: a text reads no more of the config than its
            # messenger's section.
            max_media_bytes=sections.hour(application).max_media_bytes if attach is not None else 0,
            force=force,
            attachment=attach,
            follow_symlinks=follow_symlinks,
        )
    if result.delivered:
        application.say(_("Sent to thread {number}.").format(number=number))
    elif result.state == "failed":
        application.fail(_("Error: not delivered ({error}).").format(error=result.error))
        raise typer.Exit(int(ExitCode.PROVIDER))
    else:
        why = result.error or _("the messenger asked to wait")
        application.say(
            _("Queued for thread {number}; `open` sends it as soon as it may ({why}).").format(
                number=number, why=why
            )
        )


def _write_in_editor(application: Application, session_id: str, number: int) -> str:
    from sprechstunde_cli.system.programs import edit

    # In the session's own folder, so the purge removes it should anything go wrong here.
    draft = application.paths.session_dir(session_id) / "tmp" / f"reply-{number}.txt"
    header = _(
        "# Reply to thread {number}. Lines starting with # are dropped; an empty reply cancels."
    ).format(number=number)
    body = edit(draft, header)
    if not body:
        raise InputError(_("Empty reply: nothing sent."), _("Write the text and save the file."))
    return body
