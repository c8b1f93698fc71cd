"""The store's schema and files: migrations and their ledger, file modes, pragmas."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.store import Store, db, handoffs, migrations, outbox
from sprechstunde_cli.store.crypto import SessionKeys
from sprechstunde_cli.store.db import SCHEMA_VERSION, connect, schema_current
from sprechstunde_cli.store.migrations import MIGRATIONS, Step, migrate
from tests.support.clocks import IN_THE_HOUR

SPEC = SessionSpec(
    id="mittwoch",
    title="Sprechstunde",
    official="Oberbürgermeisterin Erika Mustermann",
    start=IN_THE_HOUR,
    end=IN_THE_HOUR + timedelta(hours=1),
    timezone="Europe/Berlin",
    provider="local",
)


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated / "data" / "sprechstunde.db"


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


def test_the_version_a_store_opens_at_without_the_steps_is_the_number_of_migrations(
    db_path: Path,
) -> None:
    # store/db.py SCHEMA_VERSION: a store whose ledger holds all of them loads no step.
    assert len(MIGRATIONS) == SCHEMA_VERSION
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        assert schema_current(conn)
        conn.execute("DELETE FROM schema_migrations WHERE version = 5")  # a step missing
        assert not schema_current(conn)
    finally:
        conn.close()


def test_reopening_applies_no_migration_twice(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(name: str, step: Step) -> Step:
        def run(conn: sqlite3.Connection, keys: SessionKeys) -> None:
            calls.append(name)
            step(conn, keys)

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

    def broken(conn: sqlite3.Connection, keys: SessionKeys) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, ("broken", broken)))
    # As a real new migration would: the version a store must be at goes up with it.
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(MIGRATIONS) + 1)
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
        assert migrate(conn, SessionKeys(isolated / "old-keys")) == applied
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
        opened.ensure_session(SPEC)  # a write: it creates the -wal and -shm files
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


# --- sealing what older versions kept in plaintext -----------------------------------------

REPLY = "Antwort-Kanarie: Ihr Antrag auf Wohngeld liegt beim Amt."
QUESTION = "Frage-Kanarie: Wann kommt mein Wohngeldbescheid?"
SEALED_QUESTION = "Versiegelt-Kanarie: Und wann kommt der Bus?"
NOTE = "Notiz-Kanarie: bitte schriftlich"
ADDRESS = "kanarie.beispiel@example.org"
ATTACHMENT = "/daten/sessions/mittwoch/media/0f1e2d3c4b5a6978.png"
NAME = "Kanarienvogel Erika Beispiel"
CANARIES = (REPLY, QUESTION, NOTE, ADDRESS, ATTACHMENT, NAME)


def write_as_version_4(
    path: Path, key_dir: Path, monkeypatch: pytest.MonkeyPatch, *, sealed_before: bool = True
) -> None:
    """Rows the way version 4 wrote them: the citizen's message sealed under the session's key
    (made with it), the outbox, the hand-off, the display name and a legacy body in plaintext.
    `sealed_before=False`: a session from before the store sealed anything, with no key."""
    conn = connect(path)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:4])
        assert migrate(conn, SessionKeys(key_dir)) == 4
    for sid, state in (("mittwoch", "open"), ("alt", "purged"), ("leer", "planned")):
        conn.execute(
            "INSERT INTO sessions (id, title, official, provider, timezone, planned_start,"
            " planned_end, state) VALUES (?, 'T', 'O', 'local', 'Europe/Berlin',"
            " '2026-12-02T15:00:00+00:00', '2026-12-02T16:00:00+00:00', ?)",
            (sid, state),
        )
    conn.execute(
        "INSERT INTO threads (session_id, number, chat, display_name, first_at)"
        " VALUES ('mittwoch', 1, '+49 170 0000042', ?, '2026-12-02T15:05:00+00:00')",
        (NAME,),
    )
    bodies: list[str | bytes] = [QUESTION]
    if sealed_before:
        bodies.append(SessionKeys(key_dir).seal("mittwoch", SEALED_QUESTION.encode(), "body"))
    for body in bodies:
        conn.execute(
            "INSERT INTO messages (session_id, thread, direction, kind, body, at)"
            " VALUES ('mittwoch', 1, 'in', 'text', ?, '2026-12-02T15:05:00+00:00')",
            (body,),
        )
    for sid, key, state, body, media in (
        ("mittwoch", "reply-1", "pending", REPLY, ATTACHMENT),
        ("mittwoch", "greeting-1", "sent", "", None),
        ("alt", "alt-left-over", "sent", "gesendet", None),  # a purge's leftover, not content
    ):
        conn.execute(
            "INSERT INTO outbox (session_id, thread, chat, purpose, body, media_kind, media_mime,"
            " media_path, key, state, next_at, created_at) VALUES (?, 1, '+49 170 0000042',"
            " 'reply', ?, ?, ?, ?, ?, ?, '2026-12-02T15:06:00+00:00',"
            " '2026-12-02T15:06:00+00:00')",
            (sid, body, media and "image", media and "image/png", media, key, state),
        )
    conn.execute(
        "INSERT INTO handoffs (session_id, thread, department, email, question, note, consent,"
        " state, created_at) VALUES ('mittwoch', 1, 'Wohngeldamt', ?, ?, ?, 'operator',"
        " 'pending', '2026-12-02T15:07:00+00:00')",
        (ADDRESS, QUESTION, NOTE),
    )
    conn.commit()
    conn.close()


def version_4(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, *, sealed_before: bool = True
) -> tuple[Path, Path]:
    """A store as version 4 left it, and its key folder."""
    path, key_dir = isolated / "old" / "sprechstunde.db", isolated / "old-keys"
    write_as_version_4(path, key_dir, monkeypatch, sealed_before=sealed_before)
    return path, key_dir


def plaintext_on_disk(path: Path) -> list[tuple[str, str, str]]:
    """Every canary still readable in the store's main file or its WAL, in any encoding."""
    files = [path, Path(f"{path}-wal")]
    found = []
    for file in files:
        raw = file.read_bytes() if file.exists() else b""
        for text in CANARIES:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if text.encode(encoding) in raw:
                    found.append((file.name, text, encoding))
    return found


def assert_upgraded_and_readable(upgraded: Store) -> None:
    # The services read what they wrote, unchanged.
    [item] = outbox.lease(upgraded, "mittwoch", IN_THE_HOUR + timedelta(hours=1), 30)
    assert (item.body, item.media_path) == (REPLY, ATTACHMENT)
    assert QUESTION in [m.body for m in upgraded.messages("mittwoch")]
    [h] = handoffs.of_session(upgraded, "mittwoch")
    assert (h.email, h.question, h.note) == (ADDRESS, QUESTION, NOTE)
    assert upgraded.thread("mittwoch", 1).display_name == NAME
    assert upgraded.display_names("mittwoch") == [NAME]
    kinds = upgraded.conn.execute(
        "SELECT typeof(o.body), typeof(o.media_path), typeof(h.email), typeof(h.question),"
        " typeof(h.note), typeof(t.display_name) FROM outbox o, handoffs h, threads t"
        " WHERE o.key = 'reply-1'"
    ).fetchone()
    assert set(kinds) == {"blob"}
    assert {r[0] for r in upgraded.conn.execute("SELECT typeof(body) FROM messages")} == {"blob"}
    assert (
        upgraded.conn.execute("SELECT body FROM outbox WHERE key = 'greeting-1'").fetchone()[0]
        == ""
    )  # a sent row's emptied body stays empty


def test_upgrading_seals_the_plaintext_texts_of_sessions_not_yet_purged(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key_dir = version_4(isolated, monkeypatch)
    key = (key_dir / "mittwoch.key").read_bytes()
    assert {t for _, t, _ in plaintext_on_disk(path)} == set(CANARIES)  # the scan is not blind

    upgraded = Store.open(path, key_dir)
    try:
        # Right after opening, as a long `open` goes on from here: the old page images are
        # overwritten in the main file, the WAL is empty, and freed space is zeroes.
        assert plaintext_on_disk(path) == []
        assert_upgraded_and_readable(upgraded)
        assert SEALED_QUESTION in [m.body for m in upgraded.messages("mittwoch")]
    finally:
        upgraded.close()
    assert (key_dir / "mittwoch.key").read_bytes() == key  # used, not replaced
    assert sorted(p.name for p in key_dir.iterdir()) == ["mittwoch.key"]
    # Neither a purged session's key is brought back, nor one made for a session with nothing.


def test_a_store_opened_with_another_key_folder_is_refused_and_left_as_it_was(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key_dir = version_4(isolated, monkeypatch)
    elsewhere = isolated / "cron-keys"  # SPRECHSTUNDE_KEY_DIR set for cron, not in the shell

    with pytest.raises(StoreError) as caught:
        Store.open(path, elsewhere)
    assert f"key folder {elsewhere}" in caught.value.message
    assert "'mittwoch'" in caught.value.message
    assert "SPRECHSTUNDE_KEY_DIR" in caught.value.hint
    assert str(elsewhere) in caught.value.hint
    assert not elsewhere.exists() or list(elsewhere.iterdir()) == []  # no key made there
    assert [v for v, _, _ in ledger(path)] == [1, 2, 3, 4]
    assert {t for _, t, _ in plaintext_on_disk(path)} == set(CANARIES)  # nothing sealed

    # With the right folder, the same store upgrades and every text opens with the real key.
    upgraded = Store.open(path, key_dir)
    try:
        assert_upgraded_and_readable(upgraded)
    finally:
        upgraded.close()


def test_a_session_from_before_sealing_gets_its_first_key_and_an_empty_one_none(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing of 'mittwoch' was ever sealed, so no key exists anywhere to be lost: sealing
    # under a new one orphans nothing. 'leer' never held anything: no key, nothing to seal.
    path, key_dir = version_4(isolated, monkeypatch, sealed_before=False)
    assert not key_dir.exists()

    upgraded = Store.open(path, key_dir)
    try:
        assert plaintext_on_disk(path) == []
        assert_upgraded_and_readable(upgraded)
    finally:
        upgraded.close()
    assert sorted(p.name for p in key_dir.iterdir()) == ["mittwoch.key"]


def test_only_the_display_names_left_to_seal_still_need_the_real_key(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store already at version 5: only migration 6 is left, and it too refuses a folder
    # without the key of a session that had one.
    path, key_dir = version_4(isolated, monkeypatch)
    conn = connect(path)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:5])
        assert migrate(conn, SessionKeys(key_dir)) == 5
    conn.close()
    elsewhere = isolated / "cron-keys"
    with pytest.raises(StoreError, match="key folder"):
        Store.open(path, elsewhere)
    assert [v for v, _, _ in ledger(path)] == [1, 2, 3, 4, 5]
    assert NAME.encode() in path.read_bytes()
    upgraded = Store.open(path, key_dir)
    try:
        assert plaintext_on_disk(path) == []
        assert upgraded.thread("mittwoch", 1).display_name == NAME
    finally:
        upgraded.close()
