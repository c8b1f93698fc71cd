"""A row of the thread views' query (store/thread_rows.py) as a ThreadRow.

Apart from store/thread_rows.py, which every command that opens the store imports (its queries
are the Store's): only `threads` and the live view list rows, so the others create no
ThreadRow (each frozen dataclass costs a command's start: docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

import sqlite3

from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.domain.rules import mask_address, masked_number
from sprechstunde_cli.store.base import StoreBase, at, parse
from sprechstunde_cli.store.threads import NAME

# Stored kinds and directions to their members, looked up per row: the same members calling
# the enum returns, at a fifth of the cost (EnumType.__call__ and __new__ are Python code).
_KINDS = {kind.value: kind for kind in MessageKind}
_DIRECTIONS = {direction.value: direction for direction in Direction}


def thread_row(store: StoreBase, session_id: str, r: sqlite3.Row) -> ThreadRow:
    # Unpacked in the order of store/thread_rows.py's _ROWS: a row read by position, not by
    # name, at 2,000 rows a view.
    (number, chat, display_name, first_at, waiting_since, claimed_by, answered, left_at,
     last_kind, last_direction, last_body, last_withdrawn, unread) = r  # fmt: skip
    # A number is shown masked, never with its name: the name is not unsealed for nothing.
    citizen = masked_number(chat)
    if citizen is None:
        citizen = mask_address(chat, store.unseal(session_id, display_name, NAME))
    return ThreadRow(
        number=int(number),
        citizen=citizen,
        first_at=at(first_at),
        waiting_since=parse(waiting_since),
        unread=int(unread),
        claimed_by=claimed_by,
        last_kind=_KINDS[last_kind] if last_kind else None,
        last_direction=_DIRECTIONS[last_direction] if last_direction else None,
        last_line=store.unseal(session_id, last_body),
        answered=bool(answered),
        last_withdrawn=last_withdrawn is not None,
        left=left_at is not None,
    )
