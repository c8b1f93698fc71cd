"""The store: migrations, file modes, pragmas, sessions, threads, claims."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import IN_THE_HOUR
from sprechstunde_cli.domain.model import (
    Direction,
    MessageKind,
    Purpose,
    SessionSpec,
    SessionState,
)
from sprechstunde_cli.errors import ConflictError, NotFoundError, StateError, StoreError
from sprechstunde_cli.store import Inserted, Store, migrations
from sprechstunde_cli.store.db import connect
from sprechstunde_cli.store.migrations import MIGRATIONS, migrate

SID = "mittwoch"
PHONE = "+49 000 0000042"  # fictitious


def spec(sid: str = SID) -> SessionSpec:
    return SessionSpec(
        id=sid,
        title="Sprechstunde",
        official="Oberbürgermeisterin Erika Mustermann",
        start=IN_THE_HOUR - timedelta(minutes=5),
        end=IN_THE_HOUR + timedelta(minutes=55),
        timezone="Europe/Berlin",
        provider="local",
    )


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated / "data" / "sprechstunde.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(db_path)
    opened.ensure_session(spec())
    yield opened
    opened.close()


def add(
    store: Store,
    provider_id: str,
    chat: str,
    *,
    sid: str = SID,
    name: str = "",
    body: str = "Guten Tag",
    at: datetime = IN_THE_HOUR,
) -> Inserted | None:
    with store.write() as conn:
        return store.add_inbound(
            conn,
            sid,
            provider_id=provider_id,
            chat=chat,
            display_name=name,
            at=at,
            kind=MessageKind.TEXT,
            body=body,
            media=None,
        )


def schema(conn: sqlite3.Connection) -> set[tuple[str, str, str, str | None]]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def ledger(path: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return [
            tuple(r)
            for r in conn.execute(  # type: ignore[misc]
                "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
            )
        ]
    finally:
        conn.close()


# --- migrations ---------------------------------------------------------------------------


def test_fresh_store_records_every_migration_once_by_name(db_path: Path) -> None:
    Store.open(db_path).close()
    rows = ledger(db_path)
    assert [(v, n) for v, n, _ in rows] == [(i, m[0]) for i, m in enumerate(MIGRATIONS, 1)]


def test_reopening_applies_no_migration_twice(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(
        name: str, step: Callable[[sqlite3.Connection], None]
    ) -> Callable[[sqlite3.Connection], None]:
        def run(conn: sqlite3.Connection) -> None:
            calls.append(name)
            step(conn)

        return run

    monkeypatch.setattr(
        migrations, "MIGRATIONS", tuple((name, counting(name, step)) for name, step in MIGRATIONS)
    )
    Store.open(db_path).close()
    first = ledger(db_path)
    Store.open(db_path).close()
    Store.open(db_path).close()
    assert calls == [name for name, _ in MIGRATIONS]
    assert ledger(db_path) == first


def test_a_store_from_a_newer_version_is_refused_with_an_upgrade_hint(db_path: Path) -> None:
    Store.open(db_path).close()
    newer = len(MIGRATIONS) + 1
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', 'x')", (newer,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert str(newer) in caught.value.message
    assert "Upgrade sprechstunde" in caught.value.hint


def test_a_failing_migration_leaves_neither_ledger_row_nor_half_a_schema(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, ("broken", broken)))
    with pytest.raises(RuntimeError, match="disk on fire"):
        Store.open(db_path)
    assert len(ledger(db_path)) == len(MIGRATIONS)
    conn = sqlite3.connect(db_path)
    assert "half_done" not in {n for _, n, _, _ in schema(conn)}
    conn.close()


@pytest.mark.parametrize("applied", range(len(MIGRATIONS) + 1))
def test_upgrade_from_every_previous_schema_matches_a_fresh_store(
    isolated: Path, applied: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_path = isolated / "fresh" / "store.db"
    Store.open(fresh_path).close()
    old_path = isolated / "old" / "store.db"
    conn = connect(old_path)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:applied])
        assert migrate(conn) == applied
    if applied:  # data written under the old schema survives the upgrade
        conn.execute(
            "INSERT INTO sessions (id, title, official, provider, timezone,"
            " planned_start, planned_end, state) VALUES ('alt', 'T', 'O', 'local',"
            " 'Europe/Berlin', '2026-01-01T15:00:00+00:00',"
            " '2026-01-01T16:00:00+00:00', 'closed')"
        )
    conn.close()

    upgraded = Store.open(old_path)
    try:
        reference = connect(fresh_path)
        assert schema(upgraded.conn) == schema(reference)
        reference.close()
        assert [v for v, _, _ in ledger(old_path)] == list(range(1, len(MIGRATIONS) + 1))
        if applied:
            old = upgraded.session("alt")
            assert old is not None
            assert old.state is SessionState.CLOSED
    finally:
        upgraded.close()


# --- files and connections ----------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_is_0700_and_store_files_0600_whatever_the_umask(db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o755)
    db_path.parent.chmod(0o755)
    previous = os.umask(0)
    try:
        opened = Store.open(db_path)
        opened.ensure_session(spec())
        add(opened, "p1", PHONE)
        assert mode(db_path.parent) == 0o700
        for name in ("sprechstunde.db", "sprechstunde.db-wal", "sprechstunde.db-shm"):
            assert mode(db_path.parent / name) == 0o600, name
        opened.close()
    finally:
        os.umask(previous)


def test_a_store_file_left_readable_by_others_is_made_private_again(db_path: Path) -> None:
    Store.open(db_path).close()
    db_path.chmod(0o644)
    Store.open(db_path).close()
    assert mode(db_path) == 0o600


def test_every_connection_sets_the_privacy_pragmas(db_path: Path) -> None:
    first = Store.open(db_path)
    second = Store.open(db_path)
    raw = connect(db_path)
    try:
        for conn in (first.conn, second.conn, raw):
            assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
            assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        first.close()
        second.close()
        raw.close()


# --- sessions -----------------------------------------------------------------------------


def test_ensure_session_records_a_planned_session_once(store: Store) -> None:
    salt = store.conn.execute("SELECT sender_salt FROM sessions").fetchone()[0]
    store.transition(SID, SessionState.OPEN, IN_THE_HOUR, "anna")
    again = store.ensure_session(spec())
    assert again.state is SessionState.OPEN  # not reset to planned
    assert store.conn.execute("SELECT sender_salt FROM sessions").fetchone()[0] == salt
    assert len(salt) == 32
    assert [s.id for s in store.sessions()] == [SID]


def test_legal_transitions_are_recorded_with_actor_and_times(store: Store) -> None:
    t = IN_THE_HOUR
    store.transition(SID, SessionState.OPEN, t, "anna", opened_at=t)
    store.transition(SID, SessionState.CLOSING, t + timedelta(hours=1), "bernd")
    store.transition(
        SID, SessionState.CLOSED, t + timedelta(hours=1), "bernd", closed_at=t + timedelta(hours=1)
    )
    final = store.transition(
        SID, SessionState.PURGED, t + timedelta(hours=2), "bernd", purged_at=t + timedelta(hours=2)
    )
    assert final.state is SessionState.PURGED
    assert final.opened_at == t
    assert final.purged_at == t + timedelta(hours=2)
    assert store.state_history(SID) == [
        ("planned", "open"),
        ("open", "closing"),
        ("closing", "closed"),
        ("closed", "purged"),
    ]
    actors = [r[0] for r in store.conn.execute("SELECT actor FROM session_events ORDER BY id")]
    assert actors == ["anna", "bernd", "bernd", "bernd"]


@pytest.mark.parametrize(
    ("path", "target", "hint"),
    [
        ((), SessionState.CLOSED, f"sprechstunde open {SID}"),
        ((SessionState.OPEN,), SessionState.OPEN, f"sprechstunde close {SID}"),
        (
            (SessionState.OPEN, SessionState.CLOSING),
            SessionState.PURGED,
            f"sprechstunde close {SID}",
        ),
        (
            (SessionState.OPEN, SessionState.CLOSING, SessionState.CLOSED),
            SessionState.OPEN,
            f"sprechstunde purge {SID}",
        ),
    ],
)
def test_illegal_transition_names_the_next_command_and_changes_nothing(
    store: Store, path: tuple[SessionState, ...], target: SessionState, hint: str
) -> None:
    for state in path:
        store.transition(SID, state, IN_THE_HOUR, "anna")
    before = store.state_history(SID)
    with pytest.raises(StateError) as caught:
        store.transition(SID, target, IN_THE_HOUR, "anna")
    assert hint in caught.value.hint
    assert store.state_history(SID) == before
    assert store.require_session(SID).state is (path[-1] if path else SessionState.PLANNED)


def test_transition_of_an_unknown_session_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.transition("gibtsnicht", SessionState.OPEN, IN_THE_HOUR, "anna")


# --- inbound, threads ---------------------------------------------------------------------


def test_a_redelivered_message_is_stored_once(store: Store) -> None:
    assert add(store, "p1", PHONE) == Inserted(1, 1, True)
    assert add(store, "p1", PHONE, body="anders") is None
    assert [m.body for m in store.messages(SID)] == ["Guten Tag"]


def test_threads_are_numbered_per_session_in_order_of_first_contact(store: Store) -> None:
    store.ensure_session(spec("naechste"))
    got = [add(store, f"p{i}", chat) for i, chat in enumerate(["a", "b", "a", "c"])]
    assert [(g.thread, g.new_thread) for g in got if g] == [
        (1, True),
        (2, True),
        (1, False),
        (3, True),
    ]
    other = add(store, "q1", "b", sid="naechste")
    assert other is not None
    assert (other.thread, other.new_thread) == (1, True)
    assert store.thread_number(SID, "c") == 3
    assert store.thread_number("naechste", "a") is None


def test_waiting_since_starts_with_the_first_unanswered_message(store: Store) -> None:
    t = IN_THE_HOUR
    add(store, "p1", PHONE, at=t)
    add(store, "p2", PHONE, at=t + timedelta(minutes=3))
    assert store.thread_rows(SID)[0].waiting_since == t
    with store.write() as conn:
        store.answered(conn, SID, 1)
    row = store.thread_rows(SID)[0]
    assert (row.waiting_since, row.answered) == (None, True)
    assert store.threads_waiting(SID) == []
    add(store, "p3", PHONE, at=t + timedelta(minutes=9))
    assert store.thread_rows(SID)[0].waiting_since == t + timedelta(minutes=9)
    assert [i.number for i in store.threads_waiting(SID)] == [1]


def test_unread_counts_only_inbound_and_mark_read_never_goes_back(store: Store) -> None:
    ids = [add(store, f"p{i}", PHONE) for i in range(3)]
    with store.write() as conn:
        store.add_outbound(
            conn,
            SID,
            1,
            provider_id="o1",
            purpose=Purpose.REPLY,
            body="Danke",
            at=IN_THE_HOUR,
            operator="anna",
            kind=MessageKind.TEXT,
            media=None,
        )
    assert store.thread_rows(SID)[0].unread == 3
    second = ids[1]
    assert second is not None
    store.mark_read(SID, 1, second.message_id)
    assert store.thread_rows(SID)[0].unread == 1
    store.mark_read(SID, 1, 0)
    assert store.thread_rows(SID)[0].unread == 1
    assert store.thread(SID, 1).read_upto == second.message_id


def test_thread_rows_mask_numbers_and_show_display_names(store: Store) -> None:
    add(store, "p1", PHONE, name="Anna")
    add(store, "p2", "@bernd:example.org", name="Bernd B.", body="Frage zum Spielplatz")
    add(store, "p3", "citizen-token@example.org")
    rows = {r.number: r for r in store.thread_rows(SID)}
    assert rows[1].citizen == "+49 000 •••• 42"
    assert "0000042" not in rows[1].citizen
    assert rows[2].citizen == "Bernd B."
    assert rows[3].citizen == "ci••••en"
    assert (rows[2].last_line, rows[2].last_kind, rows[2].last_direction) == (
        "Frage zum Spielplatz",
        MessageKind.TEXT,
        Direction.IN,
    )


# --- claims -------------------------------------------------------------------------------


def test_claims_conflict_unless_forced(store: Store) -> None:
    add(store, "p1", PHONE)
    store.claim(SID, 1, "anna", IN_THE_HOUR)
    store.claim(SID, 1, "anna", IN_THE_HOUR)  # claiming your own thread again is fine
    with pytest.raises(ConflictError) as caught:
        store.claim(SID, 1, "bernd", IN_THE_HOUR)
    assert "anna" in caught.value.message
    assert "--force" in caught.value.hint
    store.claim(SID, 1, "bernd", IN_THE_HOUR, force=True)
    assert store.thread(SID, 1).claimed_by == "bernd"
    with pytest.raises(ConflictError):
        store.release(SID, 1, "anna")
    store.release(SID, 1, "bernd")
    assert store.thread_rows(SID)[0].claimed_by is None
    store.claim(SID, 1, "anna", IN_THE_HOUR)
    store.release(SID, 1, "bernd", force=True)
    assert store.thread(SID, 1).claimed_by is None


@pytest.mark.parametrize("verb", ["claim", "release", "thread"])
def test_unknown_thread_is_not_found(store: Store, verb: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        if verb == "claim":
            store.claim(SID, 9, "anna", IN_THE_HOUR)
        elif verb == "release":
            store.release(SID, 9, "anna")
        else:
            store.thread(SID, 9)
    assert "sprechstunde threads" in caught.value.hint
