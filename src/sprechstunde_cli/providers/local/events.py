"""The local messenger's rows as the events every provider hands the hour.

Apart from `provider.py` because only receiving needs it (and the place and event types it
builds): `show` and `reply` open the messenger without loading it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.domain.places import labelled, location
from sprechstunde_cli.providers.base.events import (
    Event,
    InboundCall,
    InboundEdit,
    InboundLeft,
    InboundMessage,
    InboundWithdrawal,
    MediaRef,
)


def event(r: sqlite3.Row) -> Event:
    at = datetime.fromisoformat(r["at"])
    if r["type"] == "call":
        return InboundCall(
            provider_id=r["id"],
            chat=r["chat"],
            sender_name=r["sender_name"],
            at=at,
            video=r["kind"] == "video",
        )
    if r["type"] == "withdraw":
        return InboundWithdrawal(target=r["ref"], chat=r["chat"], at=at)
    if r["type"] == "edit":
        return InboundEdit(target=r["ref"], chat=r["chat"], at=at, text=r["text"])
    if r["type"] == "leave":
        return InboundLeft(chat=r["chat"], at=at)
    if r["kind"] == "location":
        lat, _, lon = str(r["text"]).partition(",")
        place = location(lat, lon)
        text = place.text() if place else labelled("location")
        return InboundMessage(r["id"], r["chat"], r["sender_name"], at, MessageKind.TEXT, text)
    kind = MessageKind(r["kind"])
    media = None
    if r["size"] is not None:
        media = MediaRef(
            ref=r["id"],
            mime=r["mime"] or "application/octet-stream",
            size=int(r["size"]),
            filename=r["filename"] or "",
            duration=r["duration"],
        )
    return InboundMessage(
        provider_id=r["id"],
        chat=r["chat"],
        sender_name=r["sender_name"],
        sent_at=at,
        kind=kind,
        text=r["text"],
        media=media,
    )
