"""A live-view page: the first threads in the order `threads` shows them, and the counts, read
through an index so that a frame does not grow with the number of threads."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.domain.rules import by_waiting_time
from sprechstunde_cli.store import Store
from sprechstunde_cli.store.thread_rows import ALL_ROWS, COUNTS, PAGE_IDLE, PAGE_WAITING
from tests.store.test_store import SID, spec
from tests.support.clocks import IN_THE_HOUR


@pytest.fixture
def store(isolated: Path) -> Iterator[Store]:
    opened = Store.open(isolated / "data" / "sprechstunde.db")
    opened.ensure_session(spec())
    opened.ensure_session(spec("other"))
    yield opened
    opened.close()


def _busy(store: Store, threads: int, seed: int) -> None:
    """Citizens writing in rounds (interleaved, as intake stores them), several at the same
    second (ties in waiting time), some answered, some read, a second session beside it."""
    rng = random.Random(seed)
    for round_ in range(3):
        with store.write() as conn:
            for n in range(threads):
                if rng.random() < 0.4:
                    continue
                for sid in (SID, "other"):
                    store.add_inbound(
                        conn,
                        sid,
                        provider_id=f"{n}-{round_}",
                        chat=f"+49 170 0000{n:04d}",
                        display_name="",
                        at=IN_THE_HOUR + timedelta(seconds=round_ * 60 + n // 4),
                        kind=MessageKind.TEXT,
                        body=f"Frage {n}.{round_}",
                        media=None,
                    )
        with store.write() as conn:
            for number in rng.sample(range(1, threads // 2), threads // 8):
                store.answered(conn, SID, number, IN_THE_HOUR + timedelta(minutes=round_))
        for number in rng.sample(range(1, threads // 2), threads // 8):
            store.mark_all_read(SID, number)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_page_is_the_head_of_the_whole_list(store: Store, seed: int) -> None:
    _busy(store, 160, seed)
    everything = by_waiting_time(store.thread_rows(SID))
    waiting = sum(1 for r in everything if r.waiting_since is not None)
    assert 0 < waiting < len(everything)  # both parts of the order are there
    for limit in (0, 1, 7, waiting - 1, waiting, waiting + 3, len(everything), 500):
        page = store.thread_page(SID, limit)
        assert list(page.rows) == everything[:limit], limit
        assert (page.total, page.waiting) == (len(everything), waiting)


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> list[str]:
    return [str(r[3]) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def test_a_page_reads_through_the_index_not_every_thread(store: Store) -> None:
    _busy(store, 160, 4)
    for sql in (PAGE_WAITING, PAGE_IDLE):
        plan = _plan(store, sql, (SID, 40))
        # The threads are found and limited in the index's order; nothing scans them all, and
        # the unread count runs for the rows of the page only (after the limit, in `t`).
        assert any("SEARCH threads USING INDEX threads_waiting" in step for step in plan), plan
        assert not any(step.startswith("SCAN threads") for step in plan), plan
        # ... from the index of unread-able messages alone (migration 11).
        assert any("INDEX messages_unread" in step for step in plan), plan
    plan = _plan(store, COUNTS, (SID,))
    assert plan == ["SEARCH threads USING COVERING INDEX threads_waiting (session_id=?)"]


def test_every_row_counts_its_unread_messages_in_the_index(store: Store) -> None:
    _busy(store, 40, 5)
    plan = _plan(store, ALL_ROWS, (SID,))
    # The count reads the partial index of the citizen's standing messages, not message rows.
    assert any("INDEX messages_unread" in step for step in plan), plan
    assert not any("messages_thread" in step for step in plan), plan
