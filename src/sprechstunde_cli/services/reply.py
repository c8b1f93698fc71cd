"""Answering a thread: a reply (typed, from a template, or with a file), queued and sent at once.

Apart from services/threads.py (list, read, claim, release) so that reading commands do not load
what only a reply needs (docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import (
    MessageKind,
    Purpose,
    SessionRecord,
    SessionState,
    require_state,
)
from sprechstunde_cli.errors import (
    CitizenGoneError,
    ConflictError,
    InputError,
    NotFoundError,
)
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.media import Sniffed
    from sprechstunde_cli.domain.messages import MediaInfo
    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.store import Store
    from sprechstunde_cli.store.thread_info import ThreadInfo


@dataclass(frozen=True)
class ReplyResult:
    """What `reply` did: whether the messenger took the answer, or it waits in the outbox."""

    thread: int
    delivered: bool
    state: str  # outbox state after the first attempt: sent, pending or failed
    error: str | None


def template_text(config: Config, session: SessionRecord, name: str) -> str:
    """The [templates] text `name`, filled for the session."""
    if name not in config.templates:
        known = ", ".join(sorted(config.templates)) or "none"
        raise NotFoundError(
            _("No template '{name}' (known: {known}).").format(name=name, known=known),
            _("Add it under [templates] in the config."),
        )
    from sprechstunde_cli.services.texts import fill

    return fill(config.templates[name], session, config)


def reply(
    store: Store,
    provider: Provider,
    session: SessionRecord,
    number: int,
    text: str,
    *,
    operator: str,
    now: datetime,
    media_dir: Path,
    max_media_bytes: int,
    force: bool = False,
    attachment: Path | None = None,
    follow_symlinks: bool = False,
) -> ReplyResult:
    """Queue a reply, then send it right away; `open` retries it if this attempt fails."""
    require_state(session.id, session.state, SessionState.OPEN)
    if not text.strip() and attachment is None:
        raise InputError(
            _("The reply is empty."), _("Write a text, use --template NAME or --attach FILE.")
        )
    if store.has_left(session.id, number):
        raise CitizenGoneError(
            _(
                "The citizen of thread {number} left the chat or blocked the office: an "
                "answer cannot reach them. Nothing was sent."
            ).format(number=number),
            _(
                "Leave the thread; if they write again it opens again. A question for a "
                "department can still go on with followup if they gave an e-mail address."
            ),
        )
    # Checked before anything is written: a refused file leaves the thread as it was.
    found = _read_attachment(provider, attachment, max_media_bytes, follow_symlinks)
    name = attachment.name if attachment is not None else ""
    info = store.thread(session.id, number)
    # The sealed copy is written before the claim, and the claim, the queued reply and
    # "answered" are one transaction: a full disk or a conflict anywhere leaves the thread
    # unclaimed with nothing queued, and the copy is removed again.
    media, kind = _keep_attachment(store, session.id, found, media_dir, name)
    try:
        outbox_id = _queue_reply(store, session.id, info, text, operator, now, force, media, kind)
    except BaseException:
        if media is not None and media.path:
            Path(media.path).unlink(missing_ok=True)
        raise
    from sprechstunde_cli.services.delivery import deliver_due
    from sprechstunde_cli.store import outbox

    # Whoever answers has read the thread: it no longer counts as unread for anyone.
    store.mark_all_read(session.id, number)
    deliver_due(store, provider, session.id, now, only_id=outbox_id)
    state, error = outbox.state_of(store, outbox_id)
    return ReplyResult(number, state == outbox.SENT, state, error)


def _queue_reply(
    store: Store,
    session_id: str,
    info: ThreadInfo,
    text: str,
    operator: str,
    now: datetime,
    force: bool,
    media: MediaInfo | None,
    kind: MessageKind | None,
) -> int:
    import uuid

    from sprechstunde_cli.domain import keys
    from sprechstunde_cli.store import outbox

    with store.write() as conn:
        # Replying claims an unclaimed thread, so a second operator sees it is being handled.
        try:
            store.claim_in(conn, session_id, info.number, operator, now, force=force)
        except ConflictError as err:
            raise ConflictError(
                err.message, _("Ask them to release it, or reply with --force.")
            ) from None
        outbox_id = outbox.enqueue(
            store,
            conn,
            session_id,
            thread=info.number,
            chat=info.chat,
            purpose=Purpose.REPLY,
            body=text.strip(),
            key=keys.reply(session_id, uuid.uuid4().hex),
            now=now,
            operator=operator,
            media=media,
            media_kind=kind,
        )
        store.answered(conn, session_id, info.number, now)
    assert outbox_id is not None  # a fresh uuid key is never a duplicate
    return outbox_id


def _read_attachment(
    provider: Provider, path: Path | None, max_bytes: int, follow_symlinks: bool
) -> tuple[bytes, Sniffed] | None:
    if path is None:
        return None
    from sprechstunde_cli.domain.media import check_limits, sniff
    from sprechstunde_cli.system.given import read_given

    data = read_given(
        path,
        max_bytes,
        follow_symlinks=follow_symlinks,
        limit_hint=_("Attach a smaller file, or raise hour.max_media_mb in the config."),
    )
    found = sniff(data, None)
    reason = check_limits(found, len(data), max_bytes)
    if reason:
        raise InputError(f"{path.name}: {reason}.", _("Send a smaller file."))
    if found.kind not in provider.capabilities.send_media:
        raise InputError(
            _("This messenger cannot send a {value}.").format(value=found.kind.value),
            _("Send text instead, or a file type the messenger supports."),
        )
    return data, found


def _keep_attachment(
    store: Store,
    session_id: str,
    attachment: tuple[bytes, Sniffed] | None,
    media_dir: Path,
    name: str,
) -> tuple[MediaInfo | None, MessageKind | None]:
    if attachment is None:
        return None, None
    import secrets

    from sprechstunde_cli.domain.media import file_name
    from sprechstunde_cli.domain.messages import MediaInfo

    data, found = attachment
    # A copy inside the session's folder, so the purge removes it with everything else.
    copy = media_dir / f"{secrets.token_hex(8)}{found.extension}"
    store.write_media(session_id, copy, data)
    return MediaInfo(
        mime=found.mime,
        size=len(data),
        width=found.width,
        height=found.height,
        duration=found.duration,
        path=str(copy),
        name=file_name(name, found.mime, found.kind),
    ), found.kind
