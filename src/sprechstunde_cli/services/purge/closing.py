"""Before the purge takes the closing words away from the citizens, each citizen should have them.

Where the purge reaches the citizen's side (a room deleted by the server's admin, the local
messenger's rows, a revoked message), a citizen whose app was not online in the second between
the closing words and the purge would never see them. So the purge waits until every citizen's
app reports the closing words read (`Provider.read_by_citizens`, where the messenger has read
receipts), but no longer than `hour.closing_grace_minutes` after they were sent. The deadline
comes from the store (when each was sent), so a purge stopped by Ctrl-C waits only for the rest
when run again. What it found goes into the receipt's counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sprechstunde_cli.domain.model import Clock, Purpose
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Capabilities, DeleteReach, Provider
from sprechstunde_cli.services import ratelimit
from sprechstunde_cli.services.purge.remote import paced
from sprechstunde_cli.store import Store, outbox_sent
from sprechstunde_cli.system import logs

_log = logs.get("purge")

# How often the messenger is asked for read receipts while the purge waits.
POLL_SECONDS = 5.0
# Without read receipts nothing is asked; the operator still hears how long it waits.
NOTE_SECONDS = 30.0
# The receipt's counts this step adds; present once the wait is over (a re-run skips it).
GRACE = "closing_grace_seconds"


@dataclass(frozen=True)
class Waiting:
    """What the purge waits for, for the operator: `unconfirmed` of `total` citizens' apps have
    not confirmed the closing words; it goes on after `seconds_left` at the latest."""

    unconfirmed: int
    total: int
    seconds_left: float
    receipts: bool  # the messenger reports read receipts (else it waits out the grace)


def reaches_citizens(caps: Capabilities) -> bool:
    """Whether the purge removes what the office sent from the citizen's side."""
    return caps.revoke_own or caps.delete_reach in (DeleteReach.BOTH_SIDES, DeleteReach.SERVER_WIDE)


def await_closing_words(
    store: Store,
    provider: Provider,
    session_id: str,
    clock: Clock,
    grace_minutes: float,
    *,
    skip_provider: bool = False,
    notify: Callable[[Waiting], None] | None = None,
) -> dict[str, int]:
    """Wait as described above; return the receipt's figures."""
    sent = outbox_sent.sent_of(store, session_id, Purpose.CLOSING)
    failed = outbox_sent.failed_count(store, session_id, Purpose.CLOSING)
    caps = provider.capabilities
    waits = bool(sent) and not skip_provider and reaches_citizens(caps) and grace_minutes > 0
    figures = {
        "closing_words_sent": len(sent),
        "closing_words_failed": failed,
        GRACE: round(grace_minutes * 60) if waits else 0,
    }
    if not waits:
        return {**figures, "closing_words_confirmed": 0}
    deadline = max(row.sent_at for row in sent) + timedelta(minutes=grace_minutes)
    open_ids = {row.provider_id: row.chat for row in sent}
    ask = ratelimit.Caller(paced(provider, clock), clock.sleep)
    receipts = caps.read_receipts
    while True:
        if receipts:
            receipts, confirmed = _confirmed(provider, ask, open_ids)
            for provider_id in confirmed:
                open_ids.pop(provider_id, None)
        left = (deadline - clock.now()).total_seconds()
        if not open_ids or left <= 0:
            break
        if notify is not None:
            notify(Waiting(len(open_ids), len(sent), left, receipts))
        clock.sleep(min(POLL_SECONDS if receipts else NOTE_SECONDS, left))
    return {**figures, "closing_words_confirmed": len(sent) - len(open_ids)}


def _confirmed(
    provider: Provider, ask: ratelimit.Caller, open_ids: Mapping[str, str]
) -> tuple[bool, frozenset[str]]:
    """(still worth asking, the ids confirmed now); a messenger that refuses to say is not
    asked again: the grace decides."""
    by_chat: dict[str, list[str]] = {}
    for provider_id, chat in open_ids.items():
        by_chat.setdefault(chat, []).append(provider_id)
    try:
        return True, ask(lambda: provider.read_by_citizens(by_chat))
    except ProviderError as err:
        _log.warning("read receipts unavailable, waiting out the grace: %s", err.message)
        return False, frozenset()
