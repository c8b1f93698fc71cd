"""Topics for the press release: a count per session and topic that outlives the purge.

The count is a counter row named `topic:<name>`, which holds no thread. `thread_topics` only
remembers which thread was tagged with what while the session's threads exist, so tagging a
thread twice counts it once; the purge deletes it with the threads.
"""

from __future__ import annotations

from sprechstunde_cli.store.store import Store

PREFIX = "topic:"


def tag(store: Store, session_id: str, thread: int, topic: str) -> bool:
    """Count `thread` under `topic` once; False if it was already counted there."""
    with store.write() as conn:
        added = conn.execute(
            "INSERT OR IGNORE INTO thread_topics VALUES (?,?,?)", (session_id, thread, topic)
        ).rowcount
        if added:
            conn.execute(
                "INSERT INTO counters VALUES (?,?,1) ON CONFLICT(session_id, name)"
                " DO UPDATE SET value = value + 1",
                (session_id, PREFIX + topic),
            )
    return bool(added)


def counts(store: Store, session_id: str) -> dict[str, int]:
    """Threads per topic, as tagged (before and after the purge)."""
    rows = store.conn.execute(
        "SELECT name, value FROM counters WHERE session_id = ? AND name LIKE 'topic:%'"
        " ORDER BY name",
        (session_id,),
    ).fetchall()
    return {str(r[0])[len(PREFIX) :]: int(r[1]) for r in rows}
