"""The ICS feed's SEQUENCE numbers, kept so that they only ever grow (RFC 5545 3.8.7.4)."""

from __future__ import annotations

from collections.abc import Mapping

from sprechstunde_cli.store.base import StoreBase


def sequences(store: StoreBase, events: Mapping[str, tuple[str, int]]) -> dict[str, int]:
    """`events`: UID → (fingerprint of the event as published, the least SEQUENCE it needs).
    An event that changed since it was last published gets the next number; one that did not
    keeps its number; a new one starts at its least."""
    found: dict[str, int] = {}
    with store.write() as conn:
        for uid, (fingerprint, least) in events.items():
            row = conn.execute(
                "SELECT fingerprint, sequence FROM calendar_sequences WHERE uid = ?", (uid,)
            ).fetchone()
            if row is None:
                number = least
            elif row["fingerprint"] == fingerprint:
                number = max(int(row["sequence"]), least)
            else:
                number = max(int(row["sequence"]) + 1, least)
            conn.execute(
                "INSERT INTO calendar_sequences VALUES (?,?,?) ON CONFLICT(uid) DO UPDATE SET"
                " fingerprint = excluded.fingerprint, sequence = excluded.sequence",
                (uid, fingerprint, number),
            )
            found[uid] = number
    return found
