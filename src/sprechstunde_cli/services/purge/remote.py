"""The purge's provider step: delete every message the session saw, chat by chat, and list again.

Chats are independent, so as many run at once as the provider allows, paced to its declared
rate (services/ratelimit.py); what the provider could not delete is counted, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sprechstunde_cli.domain.model import Clock
from sprechstunde_cli.domain.receipt import MessengerResult
from sprechstunde_cli.domain.retry import Random, uniform
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.services import ratelimit
from sprechstunde_cli.store import Store


def delete_remote(
    store: Store,
    provider: Provider,
    session_id: str,
    skip: bool,
    clock: Clock,
    rng: Random = uniform,
) -> MessengerResult:
    caps = provider.capabilities
    if skip:
        return MessengerResult(provider.name, caps.delete_reach.value, skipped_by_operator=True)
    refs = store.provider_refs(session_id)  # the store stays on this thread
    call = ratelimit.Caller(paced(provider, clock), clock.sleep, rng=rng)
    tasks = [partial(_delete_chat, provider, chat, ids, call) for chat, ids in refs.items()]
    total = _ChatOutcome()
    for outcome in ratelimit.run_all(tasks, caps.max_concurrent_requests):
        total.requested += outcome.requested
        total.confirmed += outcome.confirmed
        total.remaining += outcome.remaining
        total.chats_removed += outcome.chats_removed
        total.failures.extend(outcome.failures)
    return MessengerResult(
        provider=provider.name,
        reach=caps.delete_reach.value,
        requested=total.requested,
        confirmed=total.confirmed,
        remaining=total.remaining,
        chats_removed=total.chats_removed,
        failed=tuple(total.failures),
    )


def paced(provider: Provider, clock: Clock) -> ratelimit.Pacer:
    """A pacer at the provider's declared rate, on the session's clock."""
    return ratelimit.Pacer(
        provider.capabilities.max_requests_per_second,
        lambda: clock.now().timestamp(),
        clock.sleep,
    )


@dataclass
class _ChatOutcome:
    """What deleting one chat at the messenger achieved; the purge adds them up."""

    requested: int = 0
    confirmed: int = 0
    remaining: int = 0
    chats_removed: int = 0
    failures: list[str] = field(default_factory=list)


def _delete_chat(
    provider: Provider, chat: str, ids: list[str], call: ratelimit.Caller
) -> _ChatOutcome:
    """Delete one chat's messages, remove the chat, list again; runs on a worker thread."""
    caps = provider.capabilities
    out = _ChatOutcome()
    try:
        if caps.delete_reach is not DeleteReach.NONE:
            outcome = call(lambda: provider.delete_messages(chat, ids))
            out.requested += outcome.requested
            out.confirmed += outcome.confirmed
            out.failures.extend(outcome.failures)
        if caps.delete_chat:
            call(lambda: provider.delete_chat(chat))
            out.chats_removed += 1
        if caps.delete_reach is not DeleteReach.NONE:
            out.remaining += len(call(lambda: provider.remaining(chat, ids)))
    except ProviderError as err:
        out.failures.append(err.message)
    return out
