"""Migration steps that seal what older versions kept in plaintext, under the keys that exist.

A key is only ever *used* here, never made for a session that had one: a store opened with
another key folder (SPRECHSTUNDE_KEY_DIR set for cron but not in the shell) would otherwise seal
the old texts under brand-new keys in the wrong folder, where the real keys can never open them
and the purge's verification fails for good.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.db import checkpoint
from sprechstunde_cli.system.logs import get as get_logger

if TYPE_CHECKING:
    from sprechstunde_cli.domain.model import Timer
    from sprechstunde_cli.store.crypto import SessionKeys

_log = get_logger("store")

# (table, column, context): the contexts the store seals each column under when it writes it
# (store/outbox.py, store/messages.py, store/handoffs.py, store/threads.py).
Column = tuple[str, str, str]

QUEUED_TEXTS: tuple[Column, ...] = (
    ("outbox", "body", "outbox.body"),
    ("outbox", "media_path", "outbox.media_path"),
    ("messages", "body", "body"),
    ("handoffs", "email", "handoff.email"),
    ("handoffs", "question", "handoff.question"),
    ("handoffs", "note", "handoff.note"),
)
DISPLAY_NAMES: tuple[Column, ...] = (("threads", "display_name", "thread.display_name"),)

# Anything sealed of a session proves it had a key: a message body is sealed from the first
# message on (even an empty one), the needles from the purge's start.
_SEALED_SOMEWHERE = (
    *(
        f"SELECT 1 FROM {t} WHERE session_id = ? AND typeof({c}) = 'blob'"  # noqa: S608
        for t, c, _ in (*QUEUED_TEXTS, *DISPLAY_NAMES)
    ),
    "SELECT 1 FROM purge_needles WHERE session_id = ?",
)


def seal_plaintext(
    conn: sqlite3.Connection, keys: SessionKeys, columns: tuple[Column, ...]
) -> None:
    """Seal every non-empty text still in plaintext in `columns`, of the sessions not purged
    (a purged one has no rows left, and its key is gone on purpose). A session that had a key
    which is not in `keys.key_dir` fails the step before anything is sealed or created."""
    found: list[tuple[Column, int, str, str]] = []
    for table, column, context in columns:
        rows = conn.execute(
            f"SELECT rowid, session_id, {column} FROM {table} WHERE typeof({column}) = 'text'"  # noqa: S608
            f" AND {column} != '' AND session_id IN"
            " (SELECT id FROM sessions WHERE state != 'purged')"
        ).fetchall()
        found += [((table, column, context), int(r[0]), str(r[1]), str(r[2])) for r in rows]
    keyless = sorted({session_id for _, _, session_id, _ in found if not keys.exists(session_id)})
    lost = [s for s in keyless if _had_a_key(conn, s)]
    if lost:
        raise _keys_elsewhere(lost, keys)
    # Left without a key: sessions from before the store sealed anything. No key exists for
    # them anywhere, so a new one orphans nothing.
    fresh = set(keyless)
    for (table, column, context), rowid, session_id, text in found:
        sealed = keys.seal(session_id, text.encode(), context, create=session_id in fresh)
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (sealed, rowid))  # noqa: S608


def _had_a_key(conn: sqlite3.Connection, session_id: str) -> bool:
    return any(conn.execute(sql, (session_id,)).fetchone() for sql in _SEALED_SOMEWHERE)


def _keys_elsewhere(sessions: list[str], keys: SessionKeys) -> StoreError:
    which = ("session " if len(sessions) == 1 else "sessions ") + ", ".join(
        f"'{s}'" for s in sessions
    )
    return StoreError(
        _(
            "The store holds texts of {which} to protect, but the key to them is not "
            "in the key folder {key_dir}; the texts were left as they were."
        ).format(which=which, key_dir=keys.key_dir),
        _(
            "Run sprechstunde with the key folder it always uses: the same "
            "SPRECHSTUNDE_KEY_DIR as in your other terminals and timed jobs (cron, "
            "systemd), or none if they set none. Or copy the session's .key file "
            "into {key_dir}. Then run the command again."
        ).format(key_dir=keys.key_dir),
    )


def fold_wal(conn: sqlite3.Connection, timer: Timer) -> None:
    """Copy the sealed pages over the plaintext ones in the main file and empty the WAL
    (secure_delete zeroes what the sealing freed). Another process reading an older snapshot
    keeps it from finishing: then the next checkpoint, SQLite's own or the last connection's on
    closing, completes it; refusing to open the store would not make it come sooner."""
    if not checkpoint(conn, "the store's write-ahead log", timer=timer):
        _log.warning("sealed old plaintext; a busy reader delays overwriting its old pages")
