"""The store's outbox (leases, crash resume) and the purge of a session's content."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.store import Store, outbox
from sprechstunde_cli.system.credentials import Secret
from tests.support.clocks import IN_THE_HOUR, FakeClock

SID = "mittwoch"
OTHER = "naechste"
PHONE = "+49 000 0000042"  # fictitious
CANARY = "Kanarienvogel-7f3a-Musterweg-12"


def spec(sid: str) -> SessionSpec:
    return SessionSpec(
        id=sid,
        title="Sprechstunde",
        official="OB",
        start=IN_THE_HOUR,
        end=IN_THE_HOUR + timedelta(hours=1),
        timezone="Europe/Berlin",
        provider="local",
    )


@pytest.fixture
def data_dir(isolated: Path) -> Path:
    return isolated / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = Store.open(data_dir / "sprechstunde.db")
    opened.ensure_session(spec(SID))
    opened.ensure_session(spec(OTHER))
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(IN_THE_HOUR)


def inbound(
    store: Store, provider_id: str, body: str = "Hallo", sid: str = SID, chat: str = PHONE
) -> int:
    with store.write() as conn:
        got = store.add_inbound(
            conn,
            sid,
            provider_id=provider_id,
            chat=chat,
            display_name="",
            at=IN_THE_HOUR,
            kind=MessageKind.TEXT,
            body=body,
            media=None,
        )
    assert got is not None
    return got.thread


def queue(
    store: Store,
    key: str,
    clock: FakeClock,
    body: str = "Danke",
    thread: int | None = 1,
    sid: str = SID,
    delay: float = 0.0,
) -> int | None:
    with store.write() as conn:
        return outbox.enqueue(
            store,
            conn,
            sid,
            thread=thread,
            chat=PHONE,
            purpose=Purpose.REPLY,
            body=body,
            key=key,
            operator="anna",
            now=clock.now() + timedelta(seconds=delay),
        )


# --- outbox -------------------------------------------------------------------------------


def test_enqueue_is_idempotent_on_its_key(store: Store, clock: FakeClock) -> None:
    inbound(store, "p1")
    first = queue(store, "k1", clock)
    assert first is not None
    assert queue(store, "k1", clock, body="noch einmal") is None
    assert queue(store, "k2", clock) not in (None, first)
    assert outbox.counts(store, SID) == {outbox.PENDING: 2}
    assert [i.body for i in outbox.lease(store, SID, clock.now(), 30)] == ["Danke", "Danke"]


def test_lease_takes_due_rows_once_and_resumes_a_crashed_sender(
    store: Store, clock: FakeClock
) -> None:
    inbound(store, "p1")
    due = queue(store, "due", clock)
    queue(store, "later", clock, delay=600)
    taken = outbox.lease(store, SID, clock.now(), 30)
    assert [(i.id, i.key, i.attempts) for i in taken] == [(due, "due", 1)]
    assert outbox.lease(store, SID, clock.now(), 30) == []  # leased: nobody else sends it
    clock.advance(seconds=29)
    assert outbox.lease(store, SID, clock.now(), 30) == []
    clock.advance(seconds=2)  # the sender died holding the lease; it has now run out
    resumed = outbox.lease(store, SID, clock.now(), 30)
    assert [(i.id, i.attempts) for i in resumed] == [(due, 2)]
    assert outbox.state_of(store, due or 0)[0] == outbox.SENDING


def test_lease_can_take_one_row_by_id(store: Store, clock: FakeClock) -> None:
    inbound(store, "p1")
    queue(store, "a", clock)
    b = queue(store, "b", clock)
    assert [i.key for i in outbox.lease(store, SID, clock.now(), 30, only_id=b)] == ["b"]
    assert [i.key for i in outbox.lease(store, SID, clock.now(), 30)] == ["a"]


def test_complete_records_the_message_and_empties_the_outbox_body(
    store: Store, clock: FakeClock
) -> None:
    inbound(store, "p1")
    queue(store, "k1", clock, body=f"Antwort {CANARY}")
    [item] = outbox.lease(store, SID, clock.now(), 30)
    outbox.complete(store, item, "out-1", clock.now())
    sent = [m for m in store.messages(SID) if m.direction is Direction.OUT]
    assert [(m.body, m.purpose, m.operator, m.thread) for m in sent] == [
        (f"Antwort {CANARY}", Purpose.REPLY, "anna", 1)
    ]
    row = store.conn.execute("SELECT state, body, provider_id, lease_until FROM outbox").fetchone()
    assert tuple(row) == (outbox.SENT, "", "out-1", None)
    assert store.counters(SID)["sent_reply"] == 1
    assert store.thread_rows(SID)[0].last_direction is Direction.OUT
    assert outbox.lease(store, SID, clock.advance(hours=1), 30) == []


def test_complete_without_a_thread_keeps_no_message(store: Store, clock: FakeClock) -> None:
    queue(store, "away", clock, thread=None)
    [item] = outbox.lease(store, SID, clock.now(), 30)
    outbox.complete(store, item, "out-away", clock.now())
    assert store.messages(SID) == []
    assert outbox.counts(store, SID) == {outbox.SENT: 1}


def test_retry_later_and_give_up(store: Store, clock: FakeClock) -> None:
    inbound(store, "p1")
    a = queue(store, "a", clock)
    b = queue(store, "b", clock)
    first, second = outbox.lease(store, SID, clock.now(), 30)
    outbox.retry_later(store, first, "429 slow down", clock.now() + timedelta(seconds=90))
    outbox.give_up(store, second, "400 refused")
    assert outbox.state_of(store, a or 0) == (outbox.PENDING, "429 slow down")
    assert outbox.state_of(store, b or 0) == (outbox.FAILED, "400 refused")
    assert outbox.lease(store, SID, clock.advance(seconds=89), 30) == []
    again = outbox.lease(store, SID, clock.advance(seconds=1), 30)
    assert [(i.key, i.attempts) for i in again] == [("a", 2)]
    outbox.complete(store, again[0], "out-a", clock.now())
    assert outbox.lease(store, SID, clock.advance(days=1), 30) == []  # b stays given up
    assert outbox.counts(store, SID) == {outbox.SENT: 1, outbox.FAILED: 1}
    assert outbox.state_of(store, 999) == (outbox.FAILED, "gone")


# --- provider references and the purge ----------------------------------------------------


def fill_session(store: Store, clock: FakeClock) -> None:
    """One session's worth of citizen data, every table touched, the canary in each."""
    inbound(store, "in-1", body=f"Frage {CANARY}")
    queue(store, "reply-1", clock, body=f"Antwort {CANARY}")
    queue(store, "reply-2", clock, body=f"Noch offen {CANARY}")  # still pending at purge
    [item, _] = outbox.lease(store, SID, clock.now(), 30)
    outbox.complete(store, item, "out-1", clock.now())
    queue(store, "away-1", clock, thread=None, body=f"Abwesend {CANARY}")
    [away] = outbox.lease(store, SID, clock.now(), 30)  # reply-2 is still leased
    outbox.complete(store, away, "out-away", clock.now())
    with store.write() as conn:
        store.record_event(conn, SID, "call-1", PHONE)
        assert store.first_away(conn, SID, PHONE)
        store.set_cursor(conn, SID, f"cursor-{CANARY}")
        # No store API writes hand-offs yet; the row is what migration 2 defines.
        conn.execute(
            "INSERT INTO handoffs (session_id, thread, department, email, question, consent,"
            " state, created_at) VALUES (?, 1, 'Tiefbauamt', ?, ?, 'ja', 'delivered', ?)",
            (SID, f"{CANARY}@example.org", f"Frage {CANARY}", IN_THE_HOUR.isoformat()),
        )
        store.bump(conn, SID, "calls_refused")


def test_provider_refs_name_every_id_the_session_saw(store: Store, clock: FakeClock) -> None:
    fill_session(store, clock)
    inbound(store, "other-1", sid=OTHER)
    refs = store.provider_refs(SID)
    assert set(refs) == {PHONE}
    assert sorted(refs[PHONE]) == ["call-1", "in-1", "out-1", "out-away"]
    assert store.provider_refs(OTHER) == {PHONE: ["other-1"]}


def test_purge_leaves_no_trace_of_citizen_data_on_disk(
    store: Store, clock: FakeClock, data_dir: Path
) -> None:
    fill_session(store, clock)
    inbound(store, "other-1", sid=OTHER, body="bleibt")
    store.delete_session_content(SID)
    for table in ("messages", "threads", "outbox", "handoffs", "seen_events", "away_senders"):
        count = store.conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (SID,)
        ).fetchone()[0]
        assert count == 0, table
    row = store.conn.execute(
        "SELECT cursor, sender_salt FROM sessions WHERE id = ?", (SID,)
    ).fetchone()
    assert tuple(row) == (None, None)
    assert store.counters(SID) == {"calls_refused": 1, "sent_reply": 2}  # content-free
    assert [m.body for m in store.messages(OTHER)] == ["bleibt"]

    store.checkpoint()
    wal = data_dir / "sprechstunde.db-wal"
    assert wal.stat().st_size == 0
    files = sorted(p.name for p in data_dir.iterdir() if p.is_file())
    assert files == ["sprechstunde.db", "sprechstunde.db-shm", "sprechstunde.db-wal"]
    for name in files:
        raw = (data_dir / name).read_bytes()
        assert CANARY.encode() not in raw, name
        assert CANARY.encode("utf-16-le") not in raw, name
        assert b"Kanarienvogel" not in raw, name


def test_the_error_kept_is_redacted_and_bounded(
    store: Store, clock: FakeClock, data_dir: Path
) -> None:
    token = Secret("CANARY-outbox-5f3a9e0b")
    inbound(store, "p1")
    queue(store, "a", clock)
    queue(store, "b", clock)
    first, second = outbox.lease(store, SID, clock.now(), 30)
    echo = f"X-Api-Key: {token.reveal()}\r\n" + "\x1b[2J" * 2000
    outbox.retry_later(store, first, echo, clock.now())
    outbox.give_up(store, second, f"refused: {token.reveal()}")
    kept = [outbox.state_of(store, item.id)[1] or "" for item in (first, second)]
    assert kept[0].startswith("X-Api-Key: [redacted] \x1b[2J") and len(kept[0]) == 400
    assert kept[1] == "refused: [redacted]"
    store.close()
    for path in data_dir.iterdir():
        assert b"CANARY-outbox" not in path.read_bytes()
