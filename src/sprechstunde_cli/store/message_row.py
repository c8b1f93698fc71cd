"""A row of `messages` as a MessageRecord.

Apart from store/messages.py, which every command that opens the store imports: `threads`,
`reply` and `followup --list` read no message, so they create neither MessageRecord nor
MediaInfo (each frozen dataclass costs a command's start: docs/ARCHITECTURE.md, *Startup*).
"""

from __future__ import annotations

import sqlite3

from sprechstunde_cli.domain.messages import MediaInfo, MessageRecord
from sprechstunde_cli.domain.model import Direction, MessageKind, Purpose
from sprechstunde_cli.store.base import at


def message(r: sqlite3.Row, body: str, media_name: str) -> MessageRecord:
    media = None
    if r["media_mime"]:
        media = MediaInfo(
            mime=r["media_mime"],
            size=int(r["media_size"] or 0),
            width=r["media_width"],
            height=r["media_height"],
            duration=r["media_duration"],
            path=r["media_path"],
            name=media_name,
        )
    return MessageRecord(
        id=int(r["id"]),
        session_id=r["session_id"],
        thread=int(r["thread"]),
        direction=Direction(r["direction"]),
        kind=MessageKind(r["kind"]),
        body=body,
        at=at(r["at"]),
        purpose=Purpose(r["purpose"]) if r["purpose"] else None,
        operator=r["operator"],
        media=media,
        withdrawn=r["withdrawn_at"] is not None,
        edited=r["edited_at"] is not None,
    )
