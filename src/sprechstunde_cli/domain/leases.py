"""Leases: one process at a time for a job that must not run twice (docs/ARCHITECTURE.md).

A lease names the process and host that hold it, so a refusal can say who; it runs out when its
holder stops renewing it (the process died), and a holder on this host whose process is gone
gives it up at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sprechstunde_cli.i18n import _

# A holder renews at every step of its loop (seconds apart); a minute without renewal means the
# process is gone or hung, as for the outbox's leases.
LEASE_TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class Holder:
    """Who holds a lease: one run of one process on one host, and what it holds it for."""

    token: str  # unique for one run of one process: the same pid may come again after a reboot
    pid: int
    host: str
    role: str  # what it does with the lease: "open", "standby"

    def describe(self) -> str:
        return _("`{role}` (process {pid} on {host})").format(
            role=self.role, pid=self.pid, host=self.host
        )


def session_lease(session_id: str) -> str:
    return f"open:{session_id}"


def receiver_lease(account: str) -> str:
    """One receiver per messenger account: `open` and `standby` hand it over."""
    return f"receiver:{account}"
