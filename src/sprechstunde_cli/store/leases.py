"""Leases in the store: who runs a session's hour, who receives for a messenger account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sprechstunde_cli.domain.leases import Holder
from sprechstunde_cli.store.base import StoreBase, at, iso


def take(
    store: StoreBase,
    name: str,
    holder: Holder,
    now: datetime,
    until: datetime,
    gone: Callable[[Holder], bool],
) -> Holder | None:
    """Take or renew the lease `name` for `holder` until `until`; the other holder if it is
    held by a live one. `gone(other)` says that a holder whose lease has not run out is known
    dead (its process on this host is gone)."""
    with store.write() as conn:
        row = conn.execute("SELECT * FROM leases WHERE name = ?", (name,)).fetchone()
        if row is not None and row["holder"] != holder.token:
            other = Holder(row["holder"], int(row["pid"]), row["host"], row["role"])
            if at(row["expires_at"]) > now and not gone(other):
                return other
        conn.execute(
            "INSERT INTO leases VALUES (?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
            " holder = excluded.holder, pid = excluded.pid, host = excluded.host,"
            " role = excluded.role, expires_at = excluded.expires_at",
            (name, holder.token, holder.pid, holder.host, holder.role, iso(until)),
        )
    return None


def release(store: StoreBase, name: str, holder: Holder) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder.token))


def holder_of(store: StoreBase, name: str, now: datetime) -> Holder | None:
    """Who holds `name` now, if anyone (a run-out lease holds nothing)."""
    rows = store._read("SELECT * FROM leases WHERE name = ?", (name,))
    if not rows or at(rows[0]["expires_at"]) <= now:
        return None
    r = rows[0]
    return Holder(r["holder"], int(r["pid"]), r["host"], r["role"])
