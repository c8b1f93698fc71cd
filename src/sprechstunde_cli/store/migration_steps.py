"""The first schema steps of the migration ledger (`store/migrations.py`): the tables of the
first release through the send pause (1–4). Shipped: never edit one."""

from __future__ import annotations

import sqlite3


def _script(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it COMMITs first, which would break the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _m001_initial(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            official TEXT NOT NULL,
            provider TEXT NOT NULL,
            timezone TEXT NOT NULL,
            planned_start TEXT NOT NULL,
            planned_end TEXT NOT NULL,
            state TEXT NOT NULL,
            opened_at TEXT,
            effective_end TEXT,
            closed_at TEXT,
            purged_at TEXT,
            last_call_at TEXT,
            cursor TEXT,
            sender_salt BLOB
        );
        CREATE TABLE session_events (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            at TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            actor TEXT NOT NULL
        );
        CREATE TABLE threads (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            number INTEGER NOT NULL,
            chat TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            first_at TEXT NOT NULL,
            waiting_since TEXT,
            answered INTEGER NOT NULL DEFAULT 0,
            read_upto INTEGER NOT NULL DEFAULT 0,
            last_message_id INTEGER,
            claimed_by TEXT,
            claimed_at TEXT,
            PRIMARY KEY (session_id, number),
            UNIQUE (session_id, chat)
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            thread INTEGER NOT NULL,
            direction TEXT NOT NULL,
            kind TEXT NOT NULL,
            purpose TEXT,
            provider_id TEXT,
            body TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            operator TEXT,
            media_path TEXT,
            media_mime TEXT,
            media_size INTEGER,
            media_width INTEGER,
            media_height INTEGER,
            media_duration REAL,
            FOREIGN KEY (session_id, thread) REFERENCES threads(session_id, number)
        );
        CREATE UNIQUE INDEX messages_provider_id ON messages(session_id, provider_id)
            WHERE provider_id IS NOT NULL;
        CREATE INDEX messages_thread ON messages(session_id, thread, id);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            thread INTEGER,
            chat TEXT NOT NULL,
            purpose TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            media_kind TEXT,
            media_mime TEXT,
            media_path TEXT,
            key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at TEXT NOT NULL,
            lease_until TEXT,
            operator TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            provider_id TEXT
        );
        CREATE INDEX outbox_due ON outbox(session_id, state, next_at);
        -- Provider event ids already handled that are not messages (calls, away-replied
        -- messages), so a re-delivery is ignored. Purged with the session.
        CREATE TABLE seen_events (
            session_id TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            chat TEXT,
            PRIMARY KEY (session_id, provider_id)
        );
        -- Senders who already got the away reply, as a keyed hash (sessions.sender_salt).
        CREATE TABLE away_senders (
            session_id TEXT NOT NULL,
            sender BLOB NOT NULL,
            PRIMARY KEY (session_id, sender)
        );
        -- Content-free counts that outlive the purge (statistics for the press release).
        CREATE TABLE counters (
            session_id TEXT NOT NULL,
            name TEXT NOT NULL,
            value INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, name)
        );
        """,
    )


def _m002_close_and_purge(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        ALTER TABLE sessions ADD COLUMN purge_started_at TEXT;
        ALTER TABLE sessions ADD COLUMN purge_ended_at TEXT;
        -- A question handed to a department, with the citizen's consent. The only thing that
        -- may leave the session before the purge; deleted by the purge once delivered.
        CREATE TABLE handoffs (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            thread INTEGER NOT NULL,
            department TEXT NOT NULL,
            email TEXT NOT NULL,
            question TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            consent TEXT NOT NULL,
            operator TEXT,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (session_id, thread, department)
        );
        -- Content-free waiting times (seconds to the first answer) for the statistics.
        CREATE TABLE wait_samples (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            seconds REAL NOT NULL
        );
        -- What the purge verification searches for, sealed with the session key, so a purge
        -- killed after the rows are gone can still verify on its re-run. Deleted, and the key
        -- destroyed, only once the verification came out clean.
        CREATE TABLE purge_needles (
            session_id TEXT PRIMARY KEY,
            blob BLOB NOT NULL
        );
        -- The deletion receipt (Löschprotokoll): JSON without personal data; outlives the purge.
        CREATE TABLE receipts (
            session_id TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    )


def _m003_announcements(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        -- The announcement ledger: one row per (session, offset, target), claimed with a lease
        -- before anything is posted, so each announcement goes out at most once. Public text
        -- only: it holds no citizen data and outlives the purge.
        CREATE TABLE announcements (
            session_id TEXT NOT NULL,
            offset_name TEXT NOT NULL,
            target TEXT NOT NULL,
            due_at TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            lease_until TEXT,
            started_at TEXT,
            next_at TEXT,
            error TEXT,
            remote_id TEXT,
            created_at TEXT NOT NULL,
            done_at TEXT,
            PRIMARY KEY (session_id, offset_name, target)
        );
        """,
    )


def _m004_send_pause(conn: sqlite3.Connection) -> None:
    # A messenger's "slow down" (429, Retry-After) holds for the whole account, so for every
    # process sending in this session — not only for the message that drew it.
    conn.execute("ALTER TABLE sessions ADD COLUMN send_not_before TEXT")
