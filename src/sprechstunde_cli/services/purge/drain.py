"""The purge's first look at the messenger: messages that came after the close are taken in
(away reply once per sender, deleted at the source, counted) before anything is deleted."""

from __future__ import annotations

from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.leases import receiver_lease
from sprechstunde_cli.domain.model import Clock
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services import leasing, ratelimit
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.services.intake import take
from sprechstunde_cli.services.purge.remote import paced
from sprechstunde_cli.store import Store
from sprechstunde_cli.store import standby as receivers

DRAIN_ROUNDS = 20  # bounded: a flood of late messages must not keep the purge from finishing


def _drain_late(
    store: Store,
    provider: Provider,
    config: Config,
    session_id: str,
    clock: Clock,
    session_dir: Path,
) -> None:
    """Messages that came after the close: away reply once per sender, deleted, counted. Not
    while `standby` receives for this messenger (it answers them): one receiver at a time."""
    account = store.require_session(session_id).provider
    holder = leasing.me("purge")
    if leasing.try_hold(store, receiver_lease(account), holder, clock.now()) is not None:
        return
    try:
        _drain_rounds(store, provider, config, session_id, clock, session_dir)
    finally:
        # `standby` goes on from here, not from before the hour.
        receivers.hand_back(store, account, store.cursor(session_id), clock.now())
        leasing.release(store, receiver_lease(account), holder)


def _drain_rounds(
    store: Store,
    provider: Provider,
    config: Config,
    session_id: str,
    clock: Clock,
    session_dir: Path,
) -> None:
    call = ratelimit.Caller(paced(provider, clock), clock.sleep)  # a blip does not fail the purge
    for _round in range(DRAIN_ROUNDS):
        session = store.require_session(session_id)
        cursor = store.cursor(session_id)
        batch = call(lambda: provider.receive(cursor, 0.0))  # noqa: B023 - called at once
        take(store, provider, config, session, batch, clock.now(), session_dir / "media")
        deliver_due(store, provider, session_id, clock.now())
        if not batch.events:
            return
