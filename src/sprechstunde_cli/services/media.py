"""A thread's photos, voice notes and files: list them, and hand one to a viewer.

Media are stored encrypted; a viewer gets a plain copy in the session's own tmp folder, which
the purge deletes with everything else.
"""

from __future__ import annotations

from pathlib import Path

from sprechstunde_cli.domain.media import extension_for
from sprechstunde_cli.domain.messages import MessageRecord
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.errors import NotFoundError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store
from sprechstunde_cli.system import programs
from sprechstunde_cli.system.files import write_private


def attachments(store: Store, session: SessionRecord, number: int) -> list[MessageRecord]:
    """The thread's messages that carry a file, in order (numbered from 1 for the operator)."""
    store.thread(session.id, number)  # NotFoundError for a thread that does not exist
    return [m for m in store.messages(session.id, thread=number) if m.media]


def open_attachment(
    store: Store,
    session: SessionRecord,
    session_dir: Path,
    number: int,
    index: int,
    command: str,
) -> Path:
    """Write attachment `index` of thread `number` as a plain file and, with a `command`, open
    it there; return the plain file's path."""
    items = attachments(store, session, number)
    chosen = items[index - 1].media if 1 <= index <= len(items) else None
    if chosen is None or chosen.path is None:
        raise NotFoundError(
            _("Thread {number} has no attachment {index}.").format(number=number, index=index),
            _("List them: sprechstunde media {number}").format(number=number),
        )
    plain = session_dir / "tmp" / f"thread{number}-{index}{extension_for(chosen.mime)}"
    write_private(plain, store.read_media(session.id, Path(chosen.path)))
    if command:
        programs.view(command, plain)
    return plain
