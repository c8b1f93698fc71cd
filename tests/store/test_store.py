"""The store: sessions and their states, threads, inbound messages, claims."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose, SessionState
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ConflictError, NotFoundError, StateError
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.inbound import Inserted
from tests.support.clocks import IN_THE_HOUR

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
        store.answered(conn, SID, 1, t + timedelta(minutes=5))
    row = store.thread_rows(SID)[0]
    assert (row.waiting_since, row.answered) == (None, True)
    assert store.threads_waiting(SID) == []
    add(store, "p3", PHONE, at=t + timedelta(minutes=9))
    assert store.thread_rows(SID)[0].waiting_since == t + timedelta(minutes=9)
    assert [i.number for i in store.threads_waiting(SID)] == [1]
    # How long it waited is kept for the statistics (5 minutes), and nothing else.
    samples = store.conn.execute("SELECT * FROM wait_samples").fetchall()
    assert [tuple(r)[1:] for r in samples] == [(SID, 300.0)]


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


def test_a_display_name_is_sealed_at_rest_and_read_back_as_given(
    store: Store, db_path: Path
) -> None:
    name = "Kanarienvogel Bernd Beispiel"
    add(store, "p1", "@bernd:example.org", name=name)
    add(store, "p2", PHONE)  # the messenger gave no name: nothing to seal
    raw = store.conn.execute(
        "SELECT typeof(display_name), display_name FROM threads ORDER BY number"
    ).fetchall()
    assert [tuple(r) for r in raw][1] == ("text", "")
    assert raw[0][0] == "blob" and name.encode() not in bytes(raw[0][1])
    on_disk = db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()
    assert name.encode() not in on_disk and name.encode("utf-16-le") not in on_disk
    assert store.thread(SID, 1).display_name == name
    assert [t.display_name for t in store.unanswered_threads(SID)] == [name, ""]
    assert store.display_names(SID) == [name, ""]
    assert store.thread_rows(SID)[0].citizen == name


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
