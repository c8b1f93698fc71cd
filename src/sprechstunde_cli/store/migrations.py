"""Append-only schema migrations recorded in a ledger table. Never edit a shipped one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.db import rollback

# The first steps are in their own module only to keep this one short.
from sprechstunde_cli.store.migration_steps import (
    _m001_initial,
    _m002_close_and_purge,
    _m003_announcements,
    _m004_send_pause,
    _script,
)
from sprechstunde_cli.store.plaintext import DISPLAY_NAMES, QUEUED_TEXTS, fold_wal, seal_plaintext
from sprechstunde_cli.system.clock import SYSTEM_TIMER

if TYPE_CHECKING:
    from sprechstunde_cli.domain.model import Timer
    from sprechstunde_cli.store.crypto import SessionKeys

# A step gets the session keys too, for steps that seal what older versions kept in plaintext.
Step = Callable[[sqlite3.Connection, "SessionKeys"], None]


def _m005_seal_queued_texts(conn: sqlite3.Connection, keys: SessionKeys) -> None:
    # Office replies and the other automatic texts waited in the outbox in plaintext until
    # sent, outside the crypto-erase; so did hand-off data and bodies from before sealing.
    seal_plaintext(conn, keys, QUEUED_TEXTS)


def _m006_seal_display_names(conn: sqlite3.Connection, keys: SessionKeys) -> None:
    # The name a citizen gave the messenger is theirs as much as what they wrote.
    seal_plaintext(conn, keys, DISPLAY_NAMES)


def _m007_thread_topics(conn: sqlite3.Connection) -> None:
    # Which topics a thread was tagged with, only so a second `tag` does not count it twice;
    # deleted with the threads at the purge. The counts themselves are counters
    # ("topic:<name>") and outlive it with no link to any thread.
    conn.execute(
        "CREATE TABLE thread_topics ("
        " session_id TEXT NOT NULL, thread INTEGER NOT NULL, topic TEXT NOT NULL,"
        " PRIMARY KEY (session_id, thread, topic))"
    )


def _m008_withdrawn_edited_left(conn: sqlite3.Connection) -> None:
    # A citizen's own deletion wins: the row stays only as "withdrawn at", content gone. An
    # edit replaces the body in place and is marked; `change_seq` orders both for `tail`,
    # which follows changes to rows it already showed. A citizen who left or blocked the office
    # cannot be answered any more. A document's name (the citizen's, or the office's for an
    # attachment it sends) is display-only and sealed like the body.
    _script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN withdrawn_at TEXT;
        ALTER TABLE messages ADD COLUMN edited_at TEXT;
        ALTER TABLE messages ADD COLUMN media_name BLOB;
        ALTER TABLE messages ADD COLUMN change_seq INTEGER;
        CREATE INDEX messages_changes ON messages(session_id, change_seq)
            WHERE change_seq IS NOT NULL;
        ALTER TABLE threads ADD COLUMN left_at TEXT;
        ALTER TABLE outbox ADD COLUMN media_name BLOB
        """,
    )


def _m009_week_around_the_hour(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        -- Who holds a job that only one process may do at a time: running a session's hour
        -- ("open:<session>") or receiving for one messenger account ("receiver:<account>").
        -- Content-free; a holder renews its lease, and a dead holder's lease runs out.
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            role TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        -- The ICS feed's SEQUENCE per UID: RFC 5545 wants it to grow with every change of an
        -- event, never fall back. The fingerprint is a hash of the public event's fields.
        CREATE TABLE calendar_sequences (
            uid TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            sequence INTEGER NOT NULL
        );
        -- A rehearsal (`open --now` before a session is due) runs on a copy of the planned
        -- session: this names the planned one, so every view can say it is a rehearsal.
        ALTER TABLE sessions ADD COLUMN rehearsal_of TEXT;
        -- Between hours (`standby`): the messenger's position per account, handed between
        -- `standby` and `open` with the receiver lease.
        CREATE TABLE receivers (
            account TEXT PRIMARY KEY,
            cursor TEXT,
            updated_at TEXT NOT NULL,
            started_at TEXT NOT NULL
        );
        -- Who got the away text in the gap before `gap` (the next session's id), as a hash
        -- keyed with the gap's own salt; salt and hashes are deleted once the gap is over.
        CREATE TABLE standby_gaps (
            account TEXT NOT NULL,
            gap TEXT NOT NULL,
            salt BLOB NOT NULL,
            PRIMARY KEY (account, gap)
        );
        CREATE TABLE standby_senders (
            account TEXT NOT NULL,
            gap TEXT NOT NULL,
            sender BLOB NOT NULL,
            PRIMARY KEY (account, gap, sender)
        );
        -- A message taken in between hours until its away text is sent and it is deleted at
        -- the messenger (seconds): what a `standby` killed in between resumes. No content.
        CREATE TABLE standby_pending (
            account TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            chat TEXT NOT NULL,
            reply_key TEXT,
            replied INTEGER NOT NULL DEFAULT 0,
            is_call INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account, provider_id)
        );
        """,
    )


def _m010_threads_by_waiting(conn: sqlite3.Connection) -> None:
    # The live view asks for the threads that fit the screen, longest-waiting first: this index
    # hands them over in that order (waiting ones by time, then the others by number), so a
    # frame reads those rows only, however many threads the session has.
    conn.execute("CREATE INDEX threads_waiting ON threads(session_id, waiting_since, number)")


def _m011_unread_messages(conn: sqlite3.Connection) -> None:
    # Each thread's row counts its unread messages from the citizen that still stand. With only
    # the citizen's standing messages in it, this index answers that count by itself, without
    # reading a message row: `threads` at 2,000 threads spent two thirds of its query there.
    conn.execute(
        "CREATE INDEX messages_unread ON messages(session_id, thread, id)"
        " WHERE direction = 'in' AND withdrawn_at IS NULL"
    )


def _schema(step: Callable[[sqlite3.Connection], None]) -> Step:
    """A step that changes only the schema and needs no key."""

    def run(conn: sqlite3.Connection, _keys: SessionKeys) -> None:
        step(conn)

    return run


MIGRATIONS: tuple[tuple[str, Step], ...] = (
    ("initial", _schema(_m001_initial)),
    ("close_and_purge", _schema(_m002_close_and_purge)),
    ("announcements", _schema(_m003_announcements)),
    ("send_pause", _schema(_m004_send_pause)),
    ("seal_queued_texts", _m005_seal_queued_texts),
    ("seal_display_names", _m006_seal_display_names),
    ("thread_topics", _schema(_m007_thread_topics)),
    ("withdrawn_edited_left", _schema(_m008_withdrawn_edited_left)),
    ("week_around_the_hour", _schema(_m009_week_around_the_hour)),
    ("threads_by_waiting", _schema(_m010_threads_by_waiting)),
    ("unread_messages", _schema(_m011_unread_messages)),
)
# Steps that overwrite plaintext: the old page images stay in the main file (and old WAL
# frames) until a checkpoint, which a long `open` may not reach for hours, so one follows at once.
_SEALING = frozenset({"seal_queued_texts", "seal_display_names"})


def migrate(conn: sqlite3.Connection, keys: SessionKeys, timer: Timer = SYSTEM_TIMER) -> int:
    """Apply missing migrations in order; return the schema version. `timer` paces the wait
    for a checkpoint's lock."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    if applied and max(applied) > len(MIGRATIONS):
        raise StoreError(
            _(
                "The store has schema version {max}, newer than this sprechstunde knows ({count})."
            ).format(max=max(applied), count=len(MIGRATIONS)),
            _("Upgrade sprechstunde (pip install -U sprechstunde)."),
        )
    for version, (name, step) in enumerate(MIGRATIONS, start=1):
        if version in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check under the write lock: another process may have just migrated.
            done = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
            ).fetchone()
            if not done:
                step(conn, keys)
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, datetime('now'))",
                    (version, name),
                )
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        if name in _SEALING and not done:
            fold_wal(conn, timer)
    return len(MIGRATIONS)
