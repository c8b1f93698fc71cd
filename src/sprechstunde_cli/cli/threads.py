"""Thread commands for any terminal while `open` runs: threads, show, reply, claim, tail."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Application
from sprechstunde_cli.errors import ExitCode, InputError, NotFoundError
from sprechstunde_cli.render.jsonout import dumps

if TYPE_CHECKING:
    from datetime import tzinfo

    from sprechstunde_cli.domain.model import MessageRecord

SessionOpt = Annotated[
    str | None,
    typer.Option("--session", "-s", help="Session id. Default: the session that is open now."),
]
ThreadArg = Annotated[int, typer.Argument(help="Thread number, as shown by `threads`.", min=1)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (one object per line).")]


@app.command()
def threads(ctx: typer.Context, session: SessionOpt = None, as_json: JsonOpt = False) -> None:
    """List the session's threads, longest-waiting first."""
    application: Application = ctx.obj
    from sprechstunde_cli.domain.rules import by_waiting_time

    record = application.current_session(session)
    rows = by_waiting_time(application.store.thread_rows(record.id))
    if as_json:
        for row in rows:
            typer.echo(
                dumps(
                    {
                        "thread": row.number,
                        "citizen": row.citizen,
                        "waiting_since": row.waiting_since.isoformat()
                        if row.waiting_since
                        else None,
                        "unread": row.unread,
                        "claimed_by": row.claimed_by,
                        "answered": row.answered,
                        "last_kind": row.last_kind.value if row.last_kind else None,
                        "last": row.last_line,
                    }
                )
            )
        return
    from sprechstunde_cli.render.views import threads_table

    application.console.print(
        threads_table(rows, now=application.clock.now(), tz=_zone(record.timezone))
    )


@app.command()
def show(ctx: typer.Context, number: ThreadArg, session: SessionOpt = None) -> None:
    """Show one thread's messages and mark them read."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.views import thread_view
    from sprechstunde_cli.services.threads import read_thread

    record = application.current_session(session)
    provider = application.provider(record.provider)
    try:
        info, messages, problem = read_thread(application.store, record, number, provider)
    finally:
        provider.close()
    if problem:
        application.warn(f"Read receipt not sent: {problem}")
    citizen = _citizen(info.chat, info.display_name)
    application.console.print(thread_view(number, citizen, messages, tz=_zone(record.timezone)))


@app.command()
def reply(
    ctx: typer.Context,
    number: ThreadArg,
    text: Annotated[
        str | None, typer.Argument(help="The answer. Leave out to write it in $EDITOR.")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template", "-t", help="Send the [templates] text of this name from the config."
        ),
    ] = None,
    attach: Annotated[
        Path | None,
        typer.Option(
            "--attach",
            "-a",
            help="Send this photo, voice note or file with the reply.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Reply even if another operator has claimed the thread.")
    ] = False,
    session: SessionOpt = None,
) -> None:
    """Answer a thread (and claim it if nobody has)."""
    application: Application = ctx.obj
    from sprechstunde_cli.services.threads import reply as send_reply

    config = application.config
    record = application.current_session(session)
    if text is not None and template is not None:
        raise InputError("Give either a text or --template, not both.", "Drop one of them.")
    if template is not None:
        if template not in config.templates:
            known = ", ".join(sorted(config.templates)) or "none"
            raise NotFoundError(
                f"No template '{template}' (known: {known}).",
                "Add it under [templates] in the config.",
            )
        from sprechstunde_cli.services.texts import fill

        text = fill(config.templates[template], record, config)
    if text is None and attach is None:
        text = _edit(application, record.id, number)
    provider = application.provider(record.provider)
    try:
        result = send_reply(
            application.store,
            provider,
            record,
            number,
            text or "",
            operator=application.operator,
            now=application.clock.now(),
            media_dir=application.paths.session_dir(record.id) / "media",
            max_media_bytes=config.hour.max_media_bytes,
            force=force,
            attachment=attach,
        )
    finally:
        provider.close()
    if result.delivered:
        application.say(f"Sent to thread {number}.")
    elif result.state == "failed":
        application.err_console.print(f"Error: not delivered ({result.error}).", soft_wrap=True)
        raise typer.Exit(int(ExitCode.PROVIDER))
    else:
        why = result.error or "the messenger asked to wait"
        application.say(f"Queued for thread {number}; `open` sends it as soon as it may ({why}).")


@app.command()
def claim(
    ctx: typer.Context,
    number: ThreadArg,
    session: SessionOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Take over a thread another operator has claimed.")
    ] = False,
) -> None:
    """Claim a thread so other operators see you are answering it."""
    application: Application = ctx.obj
    record = application.current_session(session)
    application.store.claim(
        record.id, number, application.operator, application.clock.now(), force=force
    )
    application.say(f"Thread {number} is yours ({application.operator}).")


@app.command()
def release(
    ctx: typer.Context,
    number: ThreadArg,
    session: SessionOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Release a claim held by another operator.")
    ] = False,
) -> None:
    """Release your claim on a thread."""
    application: Application = ctx.obj
    record = application.current_session(session)
    application.store.release(record.id, number, application.operator, force=force)
    application.say(f"Thread {number} released.")


@app.command()
def tail(
    ctx: typer.Context,
    session: SessionOpt = None,
    as_json: JsonOpt = False,
    once: Annotated[bool, typer.Option("--once", help="Print what is there and exit.")] = False,
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=0, help="Start with the last N messages.")
    ] = 10,
) -> None:
    """Follow new messages of the open session as they arrive."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.views import message_line

    store = application.store
    record = application.current_session(session)
    zone = _zone(record.timezone)
    last_id = store.message_id_before_last(record.id, lines)
    names: dict[int, str] = {}
    try:
        while True:
            for msg in store.messages(record.id, after_id=last_id):
                citizen = names.get(msg.thread)
                if citizen is None:
                    info = store.thread(record.id, msg.thread)
                    citizen = names[msg.thread] = _citizen(info.chat, info.display_name)
                if as_json:
                    typer.echo(dumps(_event(record.id, citizen, msg)))
                else:
                    application.console.print(message_line(msg, citizen, tz=zone), soft_wrap=True)
                last_id = msg.id
            if once:
                return
            application.clock.sleep(0.5)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command()
def media(
    ctx: typer.Context,
    number: ThreadArg,
    index: Annotated[
        int | None,
        typer.Argument(help="Which attachment (as listed); leave out to list them.", min=1),
    ] = None,
    session: SessionOpt = None,
) -> None:
    """List a thread's photos and voice notes, or open one with hour.media_command."""
    application: Application = ctx.obj
    from sprechstunde_cli.render.views import citizen_text, media_label

    record = application.current_session(session)
    store = application.store
    items = [m for m in store.messages(record.id, thread=number) if m.media]
    if index is None:
        if not items:
            application.say(f"Thread {number} has no attachments.")
        for i, msg in enumerate(items, start=1):
            application.console.print(citizen_text(f"[{i}] {media_label(msg.kind, msg.media)}"))
        return
    chosen = items[index - 1].media if index <= len(items) else None
    if chosen is None or chosen.path is None:
        raise NotFoundError(
            f"Thread {number} has no attachment {index}.", f"List them: sprechstunde media {number}"
        )
    from sprechstunde_cli.domain.media import extension_for
    from sprechstunde_cli.system.files import write_private

    # Media are stored encrypted; a viewer gets a plain copy in the session's own tmp folder,
    # which the purge deletes with everything else.
    plain = (
        application.paths.session_dir(record.id)
        / "tmp"
        / (f"thread{number}-{index}{extension_for(chosen.mime)}")
    )
    write_private(plain, store.read_media(record.id, Path(chosen.path)))
    path = str(plain)
    command = application.config.hour.media_command
    if not command:
        application.say(path)
        return
    # No shell: the path is one argument whatever it contains.
    argv = [
        path if part == "{file}" else part.replace("{file}", path) for part in shlex.split(command)
    ]
    subprocess.run(argv, check=False)


def _edit(application: Application, session_id: str, number: int) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise InputError(
            "No reply text and no editor.",
            "Pass the text as an argument, use --template, or set $EDITOR.",
        )
    from sprechstunde_cli.system.files import write_private

    # In the session's own folder, so the purge removes it should anything go wrong here.
    draft = application.paths.session_dir(session_id) / "tmp" / f"reply-{number}.txt"
    write_private(
        draft,
        f"\n# Reply to thread {number}. Lines starting with # are "
        "dropped; an empty reply cancels.\n".encode(),
    )
    try:
        subprocess.run([*shlex.split(editor), str(draft)], check=True)
        text = draft.read_text(encoding="utf-8")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InputError(f"The editor failed ({exc}).", "Check $EDITOR.") from None
    finally:
        draft.unlink(missing_ok=True)
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#")).strip()
    if not body:
        raise InputError("Empty reply: nothing sent.", "Write the text and save the file.")
    return body


def _citizen(chat: str, display_name: str) -> str:
    from sprechstunde_cli.domain.rules import mask_address

    return mask_address(chat, display_name)


def _event(session_id: str, citizen: str, msg: MessageRecord) -> dict[str, Any]:
    media = msg.media
    return {
        "event": "message",
        "session": session_id,
        "thread": msg.thread,
        "id": msg.id,
        "direction": msg.direction.value,
        "kind": msg.kind.value,
        "purpose": msg.purpose.value if msg.purpose else None,
        "operator": msg.operator,
        "at": msg.at.isoformat(),
        "citizen": citizen,
        "text": msg.body,
        "media": None
        if media is None
        else {
            "mime": media.mime,
            "size": media.size,
            "width": media.width,
            "height": media.height,
            "duration": media.duration,
        },
    }


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo  # not at import time: `--help` needs no time zones

    return ZoneInfo(name)
