"""The provider seam: a small Protocol plus declared capabilities (docs/ARCHITECTURE.md).

Services ask `capabilities`; they never branch on a provider's name. Here is what every caller
of a provider needs; what only some do has a module of its own in this package, so a command
creates only the classes it uses: `events.py` (what receiving hands the hour), `media.py` (a
file the office sends, the size refusal), `deletion.py` (what a delete achieved).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, Self

from sprechstunde_cli.domain.model import MessageKind, Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system.clock import SYSTEM_TIMER

if TYPE_CHECKING:
    import httpx

    from sprechstunde_cli.providers.base.deletion import DeleteOutcome
    from sprechstunde_cli.providers.base.events import InboundCall, MediaRef, ReceiveBatch
    from sprechstunde_cli.providers.base.media import OutboundMedia
    from sprechstunde_cli.system.credentials import Secret
    from sprechstunde_cli.system.paths import Paths

    # The one seam for HTTP in tests (httpx.MockTransport); named here so that layers above
    # providers/ can pass one along without importing httpx.
    Transport = httpx.BaseTransport


class ReceiveMode(StrEnum):
    POLL = "poll"  # we ask with a cursor; nothing is lost between calls
    STREAM = "stream"  # the server pushes; the provider buffers and still hands out a cursor


class DeleteReach(StrEnum):
    """How far a delete at the provider reaches, weakest first."""

    NONE = "none"
    OPERATOR_SIDE = "operator_side"  # the office's copy only; the citizen keeps theirs
    BOTH_SIDES = "both_sides"  # the office's and the citizen's copies
    SERVER_WIDE = "server_wide"  # every copy the server holds, e.g. an own homeserver's purge


@dataclass(frozen=True)
class Capabilities:
    """What a messenger can do; services ask these, never the messenger's name."""

    receive: ReceiveMode
    send_text: bool
    send_media: frozenset[MessageKind]
    download_media: bool
    mark_read: bool
    reject_calls: bool
    delete_reach: DeleteReach
    revoke_own: bool  # can withdraw the office's own messages from the citizen's side
    delete_chat: bool  # can remove a whole conversation from the office's side
    announce: bool  # can post a public notice (status, channel, broadcast room)
    idempotent_send: bool  # a retried send with the same key never doubles the message
    # What survives a purge outside our reach, in plain words for the deletion receipt.
    residual_retention: tuple[str, ...] = ()
    # How hard bulk work (the purge) may drive the server: the requests per second it allows
    # (None: no known limit; a 429 still slows us down), and how many calls may be in flight at
    # once — more than 1 only where the provider is safe to call from several threads.
    max_requests_per_second: float | None = None
    max_concurrent_requests: int = 1
    # The citizen's client reports what it has read or received (read/delivery receipts), so
    # the purge need not wait out the whole grace before it removes the closing words.
    read_receipts: bool = False


def foreign_reference(what: str) -> ProviderError:
    """A stored cursor or file reference that another provider wrote (the config switched
    messengers in the middle of a session)."""
    return ProviderError(
        _("The stored {what} does not belong to this messenger.").format(what=what),
        _("Finish this session with the provider it was opened with."),
    )


@dataclass(frozen=True)
class Sent:
    """A message the messenger took, with the id it gave it (the purge deletes by that id)."""

    provider_id: str


@dataclass(frozen=True)
class ProviderContext:
    """What the application hands a provider it builds: where files live, the credential, and
    the wiring tests replace (an httpx transport, the timer for network waits)."""

    paths: Paths
    # The provider's token; called only by providers that need one (raises AuthError if none).
    token: Callable[[], Secret]
    transport: Transport | None = None
    timer: Timer = field(default=SYSTEM_TIMER)


class Closing:
    """Makes a provider a context manager: `with application.provider(name) as provider:`."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Provider(Protocol):
    name: str
    capabilities: Capabilities

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        """Return events after `cursor`, waiting up to `wait` seconds for the first one."""
        ...

    def send_text(self, chat: str, text: str, key: str) -> Sent: ...

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent: ...

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes: ...

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None: ...

    def reject_call(self, call: InboundCall) -> None: ...

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        """Delete as far as `capabilities.delete_reach` goes."""
        ...

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        """List again: which of these ids the provider still shows to the office."""
        ...

    def delete_chat(self, chat: str) -> DeleteOutcome:
        """Remove the whole conversation from the office's side (leave, forget, delete chat)."""
        ...

    def announce(self, text: str, key: str) -> Sent:
        """Post a public notice where `capabilities.announce` says the provider can."""
        ...

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        """Of the office's messages (ids by chat), those the citizen's client reports read or
        received; empty where `capabilities.read_receipts` is False."""
        ...

    def check(self) -> tuple[str, ...]:
        """Raise ProviderError if unusable; return warnings about a risky setup."""
        ...

    def close(self) -> None: ...
