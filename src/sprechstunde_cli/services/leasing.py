"""Take, renew and give up the store's leases (`domain/leases.py`) for this process."""

from __future__ import annotations

import secrets
from datetime import datetime

from sprechstunde_cli.domain.leases import LEASE_TTL, Holder
from sprechstunde_cli.errors import ConflictError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store, leases
from sprechstunde_cli.system import process


def me(role: str) -> Holder:
    """This process, for one run: a fresh token, so a pid used again is not mistaken for it."""
    pid, host = process.identity()
    return Holder(secrets.token_hex(8), pid, host, role)


def hold(store: Store, name: str, holder: Holder, now: datetime, refused: str, hint: str) -> None:
    """Take or renew `name` for LEASE_TTL; a live other holder → ConflictError naming it."""
    other = leases.take(store, name, holder, now, now + LEASE_TTL, lambda o: gone(o, holder))
    if other is not None:
        raise ConflictError(
            _("{refused} {other} holds it.").format(refused=refused, other=other.describe()), hint
        )


def try_hold(store: Store, name: str, holder: Holder, now: datetime) -> Holder | None:
    """Like `hold`, but the other holder is returned instead of raised."""
    return leases.take(store, name, holder, now, now + LEASE_TTL, lambda o: gone(o, holder))


def release(store: Store, name: str, holder: Holder) -> None:
    leases.release(store, name, holder)


def holder_of(store: Store, name: str, now: datetime) -> Holder | None:
    return leases.holder_of(store, name, now)


def gone(other: Holder, holder: Holder) -> bool:
    """Whether `other` is known dead: only a process on this host can be asked. Our own pid
    under another token is a run before a restart."""
    if other.host != holder.host:
        return False
    return other.pid == holder.pid or not process.alive(other.pid)
