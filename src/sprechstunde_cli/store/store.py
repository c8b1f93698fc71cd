"""The store: sessions, counters, and what the purge needs. All SQL lives in store/."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import SessionRecord, SessionState, check_transition
from sprechstunde_cli.errors import StoreError, unknown_session
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store.base import at, iso, parse
from sprechstunde_cli.store.db import checkpoint
from sprechstunde_cli.store.messages import MessageQueries
from sprechstunde_cli.store.thread_rows import ThreadRowQueries
from sprechstunde_cli.store.threads import ThreadQueries
from sprechstunde_cli.system.logs import get as get_logger

if TYPE_CHECKING:
    from sprechstunde_cli.domain.counters import Counter
    from sprechstunde_cli.domain.spec import SessionSpec

_log = get_logger("store")

__all__ = ["Store", "iso", "parse"]


class Store(ThreadQueries, ThreadRowQueries, MessageQueries):
    # --- sessions --------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionRecord | None:
        rows = self._read("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def require_session(self, session_id: str) -> SessionRecord:
        found = self.session(session_id)
        if found is None:
            # Also a session the config plans but that was never opened here: either way there
            # is nothing to show, and "open it first" would be wrong for a typo.
            raise unknown_session(session_id, [s.id for s in self.sessions()], _("on this machine"))
        return found

    def sessions(self, *states: SessionState) -> list[SessionRecord]:
        rows = self._read("SELECT * FROM sessions ORDER BY planned_start")
        found = [_session(r) for r in rows]
        return [s for s in found if not states or s.state in states]

    def ensure_session(self, spec: SessionSpec, rehearsal_of: str | None = None) -> SessionRecord:
        """Record a planned session (or a rehearsal's copy) the first time a command touches it."""
        import secrets

        with self.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sessions (id, title, official, provider, timezone,"
                " planned_start, planned_end, state, sender_salt, rehearsal_of)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    spec.id,
                    spec.title,
                    spec.official,
                    spec.provider,
                    spec.timezone,
                    iso(spec.start),
                    iso(spec.end),
                    SessionState.PLANNED.value,
                    secrets.token_bytes(32),
                    rehearsal_of,
                ),
            )
        return self.require_session(spec.id)

    def transition(
        self, session_id: str, target: SessionState, now: datetime, actor: str, **times: datetime
    ) -> SessionRecord:
        """Move a session to `target` if legal, recording the change and any given times."""
        allowed = {"opened_at", "effective_end", "closed_at", "purged_at"}
        with self.write() as conn:
            row = conn.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                known = [r["id"] for r in conn.execute("SELECT id FROM sessions ORDER BY id")]
                raise unknown_session(session_id, known, _("on this machine"))
            current = SessionState(row["state"])
            check_transition(session_id, current, target)
            sets = ["state = ?"]
            params: list[object] = [target.value]
            for name, moment in times.items():
                assert name in allowed, name
                sets.append(f"{name} = ?")
                params.append(iso(moment))
            conn.execute(
                f"UPDATE sessions SET {', '.join(sets)} WHERE id = ?",  # noqa: S608
                (*params, session_id),
            )
            conn.execute(
                "INSERT INTO session_events (session_id, at, from_state, to_state, actor)"
                " VALUES (?,?,?,?,?)",
                (session_id, iso(now), current.value, target.value, actor),
            )
        _log.info("session %s: %s -> %s (%s)", session_id, current.value, target.value, actor)
        return self.require_session(session_id)

    def cursor(self, session_id: str) -> str | None:
        rows = self._read("SELECT cursor FROM sessions WHERE id = ?", (session_id,))
        return rows[0]["cursor"] if rows else None

    def set_cursor(self, conn: sqlite3.Connection, session_id: str, cursor: str) -> None:
        conn.execute("UPDATE sessions SET cursor = ? WHERE id = ?", (cursor, session_id))

    def set_last_call(self, conn: sqlite3.Connection, session_id: str, now: datetime) -> None:
        conn.execute("UPDATE sessions SET last_call_at = ? WHERE id = ?", (iso(now), session_id))

    def state_history(self, session_id: str) -> list[tuple[str | None, str]]:
        rows = self._read(
            "SELECT from_state, to_state FROM session_events WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [(r["from_state"], r["to_state"]) for r in rows]

    def record_event(
        self, conn: sqlite3.Connection, session_id: str, provider_id: str, chat: str
    ) -> bool:
        """Remember a non-message event (call, dropped message); False if seen before."""
        cur = conn.execute(
            "INSERT OR IGNORE INTO seen_events VALUES (?,?,?)", (session_id, provider_id, chat)
        )
        return cur.rowcount == 1

    def first_away(self, conn: sqlite3.Connection, session_id: str, chat: str) -> bool:
        """True the first time a sender gets the away reply in this session."""
        import hashlib
        import hmac

        row = conn.execute(
            "SELECT sender_salt FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        # A keyed hash, so the table alone does not reveal who wrote; the key dies with purge.
        digest = hmac.new(bytes(row["sender_salt"]), chat.encode(), hashlib.sha256).digest()
        cur = conn.execute("INSERT OR IGNORE INTO away_senders VALUES (?,?)", (session_id, digest))
        return cur.rowcount == 1

    def bump(self, conn: sqlite3.Connection, session_id: str, name: Counter, by: int = 1) -> None:
        conn.execute(
            "INSERT INTO counters VALUES (?,?,?) ON CONFLICT(session_id, name)"
            " DO UPDATE SET value = value + excluded.value",
            (session_id, name, by),
        )

    def counters(self, session_id: str) -> dict[Counter, int]:
        rows = self._read("SELECT name, value FROM counters WHERE session_id = ?", (session_id,))
        from sprechstunde_cli.domain.counters import Counter  # the receipt's: not every command's

        known = {c.value for c in Counter}
        # A counter only a newer version knows is kept in the table, not shown here.
        return {Counter(r["name"]): int(r["value"]) for r in rows if r["name"] in known}

    # --- provider references for the purge --------------------------------------------------

    def provider_refs(self, session_id: str) -> dict[str, list[str]]:
        """Every provider message id the session saw, by chat: what the purge must delete."""
        refs: dict[str, list[str]] = {}
        rows = self._read(
            "SELECT t.chat, m.provider_id FROM messages m JOIN threads t"
            " ON t.session_id = m.session_id AND t.number = m.thread"
            " WHERE m.session_id = ? AND m.provider_id IS NOT NULL"
            " UNION ALL SELECT chat, provider_id FROM seen_events"
            " WHERE session_id = ? AND chat IS NOT NULL"
            " UNION ALL SELECT chat, provider_id FROM outbox"
            " WHERE session_id = ? AND provider_id IS NOT NULL AND chat != ''",
            (session_id, session_id, session_id),
        )
        for r in rows:
            ids = refs.setdefault(r["chat"], [])
            if r["provider_id"] not in ids:
                ids.append(r["provider_id"])
        return refs

    def media_paths(self, session_id: str) -> list[str]:
        rows = self._read(
            "SELECT media_path FROM messages WHERE session_id = ? AND media_path IS NOT NULL",
            (session_id,),
        )
        return [r["media_path"] for r in rows]

    def delete_session_content(self, session_id: str) -> None:
        """Delete every row that holds citizen data; keep the session row and counters."""
        # handoffs hold the citizen's question and e-mail address: the purge runs after they
        # are delivered, and nothing of them may outlive it.
        tables = (
            "messages",
            "outbox",
            "handoffs",
            "threads",
            "seen_events",
            "away_senders",
            "thread_topics",
        )
        with self.write() as conn:
            for table in tables:
                conn.execute(
                    f"DELETE FROM {table} WHERE session_id = ?",  # noqa: S608
                    (session_id,),
                )
            conn.execute(
                "UPDATE sessions SET cursor = NULL, sender_salt = NULL WHERE id = ?", (session_id,)
            )

    def page_count(self) -> int:
        """The store's size in pages: it grows only by a write that needed new room."""
        return int(self._read("PRAGMA page_count")[0][0])

    def fold_wal(self) -> bool:
        """Fold the WAL back now (overwritten rows leave it); False if a reader kept it busy."""
        return checkpoint(self.conn, timer=self.timer)

    def checkpoint(self) -> None:
        """Fold the WAL back into the main file and truncate it; a busy checkpoint fails."""
        if not checkpoint(self.conn, timer=self.timer):
            raise StoreError(
                _("The store's write-ahead log could not be truncated: a reader is busy."),
                _("Stop other sprechstunde processes (tail, open) and run it again."),
            )


def _session(r: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=r["id"],
        title=r["title"],
        official=r["official"],
        provider=r["provider"],
        timezone=r["timezone"],
        planned_start=at(r["planned_start"]),
        planned_end=at(r["planned_end"]),
        state=SessionState(r["state"]),
        opened_at=parse(r["opened_at"]),
        effective_end=parse(r["effective_end"]),
        closed_at=parse(r["closed_at"]),
        purged_at=parse(r["purged_at"]),
        last_call_at=parse(r["last_call_at"]),
        rehearsal_of=r["rehearsal_of"],
    )
