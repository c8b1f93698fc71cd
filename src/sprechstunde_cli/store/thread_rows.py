"""The rows the views show: every thread for `threads`, the page that fits for the live view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.store.base import StoreBase

if TYPE_CHECKING:
    from sprechstunde_cli.domain.page import ThreadPage
    from sprechstunde_cli.domain.rows import ThreadRow

# A thread's row for the views: its columns, its last shown message, and how many of the
# citizen's messages nobody has read, withdrawn ones not counted (counted in the index
# messages_unread alone, for the rows asked for only).
_ROWS = """
    SELECT t.number, t.chat, t.display_name, t.first_at, t.waiting_since, t.claimed_by,
           t.answered, t.left_at, m.kind, m.direction, m.body, m.withdrawn_at,
           (SELECT COUNT(*) FROM messages u WHERE u.session_id = t.session_id
              AND u.thread = t.number AND u.direction = 'in' AND u.id > t.read_upto
              AND u.withdrawn_at IS NULL) AS unread"""
_LAST = "LEFT JOIN messages m ON m.id = t.last_message_id"
# Every thread of a session (`threads`).
ALL_ROWS = f"{_ROWS} FROM threads t {_LAST} WHERE t.session_id = ?"
# A page of the live view: the first waiting threads by time, then the first others by number,
# each picked (and limited) in the index threads_waiting before anything is joined or counted.
PAGE_WAITING = (
    f"{_ROWS} FROM (SELECT * FROM threads WHERE session_id = ? AND waiting_since IS NOT NULL"  # noqa: S608
    f" ORDER BY waiting_since, number LIMIT ?) t {_LAST} ORDER BY t.waiting_since, t.number"
)
PAGE_IDLE = (
    f"{_ROWS} FROM (SELECT * FROM threads WHERE session_id = ? AND waiting_since IS NULL"  # noqa: S608
    f" ORDER BY number LIMIT ?) t {_LAST} ORDER BY t.number"
)
COUNTS = (
    "SELECT COUNT(*) AS total, COUNT(waiting_since) AS waiting FROM threads WHERE session_id = ?"
)


class ThreadRowQueries(StoreBase):
    """The rows of `threads` and of the live view."""

    _thread_rows_seen: dict[tuple[object, ...], ThreadRow] = {}  # noqa: RUF012 - replaced, never mutated

    def thread_rows(self, session_id: str) -> list[ThreadRow]:
        rows = self._read(ALL_ROWS, (session_id,))
        # `threads` and the demo's screen ask again and again; most threads have not changed
        # since. A row whose columns are all the same is the same ThreadRow: reuse it instead of
        # unsealing and masking again. Only the current rows are kept. (Imported here: only a
        # command that lists threads creates ThreadRows, store/thread_row.py.)
        from sprechstunde_cli.store.thread_row import thread_row

        previous = self._thread_rows_seen
        seen: dict[tuple[object, ...], ThreadRow] = {}
        found = []
        for r in rows:
            key = (session_id, *r)
            row = previous.get(key) or thread_row(self, session_id, r)
            seen[key] = row
            found.append(row)
        self._thread_rows_seen = seen
        return found

    def thread_page(self, session_id: str, limit: int) -> ThreadPage:
        """The first `limit` threads longest-waiting first (waiting ones by time, ties by
        number, then the others by number) and the counts: what a screen shows. Each part
        reads through the index `threads_waiting`, so a frame costs the same at 20 threads as
        at 2,000 (tests/store/test_thread_page.py checks the plans)."""
        waiting = self._read(PAGE_WAITING, (session_id, limit))
        idle = self._read(PAGE_IDLE, (session_id, max(0, limit - len(waiting))))
        counts = self._read(COUNTS, (session_id,))[0]
        from sprechstunde_cli.domain.page import ThreadPage  # the live view's alone
        from sprechstunde_cli.store.thread_row import thread_row

        rows = tuple(thread_row(self, session_id, r) for r in [*waiting, *idle])
        return ThreadPage(rows, int(counts["total"]), int(counts["waiting"]))
