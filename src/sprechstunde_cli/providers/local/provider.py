"""The office's side of the local messenger, through the common Provider interface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import MessageKind, Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import (
    Capabilities,
    Closing,
    DeleteReach,
    ReceiveMode,
    Sent,
    foreign_reference,
)
from sprechstunde_cli.providers.local.server import STATUS_CHAT, LocalMessenger
from sprechstunde_cli.system.clock import SYSTEM_TIMER

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base import ProviderContext
    from sprechstunde_cli.providers.base.deletion import DeleteOutcome
    from sprechstunde_cli.providers.base.events import InboundCall, MediaRef, ReceiveBatch
    from sprechstunde_cli.providers.base.media import OutboundMedia
    from sprechstunde_cli.providers.local.settings import LocalSettings

POLL_STEP_S = 0.05


class LocalProvider(Closing):
    """The office's side of the local messenger."""

    name = "local"
    capabilities = Capabilities(
        receive=ReceiveMode.POLL,
        send_text=True,
        send_media=frozenset({MessageKind.IMAGE, MessageKind.VOICE, MessageKind.FILE}),
        download_media=True,
        mark_read=True,
        reject_calls=True,
        delete_reach=DeleteReach.BOTH_SIDES,
        revoke_own=True,
        delete_chat=True,
        announce=True,
        idempotent_send=True,
        residual_retention=(),
        read_receipts=True,
    )

    def __init__(self, messenger: LocalMessenger, *, timer: Timer = SYSTEM_TIMER) -> None:
        self.messenger = messenger
        self._timer = timer

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        # Here, not at the top: `show` and `reply` open the messenger but never receive.
        from sprechstunde_cli.providers.base.events import ReceiveBatch
        from sprechstunde_cli.providers.local.events import event

        seq = _seq(cursor)
        timer = self._timer
        deadline = timer.monotonic() + wait
        while True:
            rows = self.messenger.events_after(seq)
            if rows or timer.monotonic() >= deadline:
                break
            timer.sleep(min(POLL_STEP_S, max(0.0, deadline - timer.monotonic())))
        events = tuple(event(r) for r in rows)
        return ReceiveBatch(events, str(rows[-1]["seq"] if rows else seq))

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return Sent(self.messenger.office_send(chat, text, key))

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        from sprechstunde_cli.domain.media import file_name  # only a file: a text reply skips it

        return Sent(
            self.messenger.office_send(
                chat,
                caption,
                key,
                kind=media.kind.value,
                media=media.data,
                mime=media.mime,
                filename=file_name(media.filename, media.mime, media.kind),
            )
        )

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        from sprechstunde_cli.providers.base.media import media_too_large  # only receiving

        if media.size is not None and media.size > max_bytes:
            raise media_too_large(max_bytes, media.size)
        data = self.messenger.media(media.ref)
        if data is None:
            raise ProviderError(
                _("The file is no longer on the local messenger."),
                _("It was deleted; ask the citizen to send it again."),
            )
        # The declared size may be missing or wrong; the bytes decide.
        if len(data) > max_bytes:
            raise media_too_large(max_bytes, len(data))
        return data

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        self.messenger.mark_read(chat, provider_ids)

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        return self.messenger.read_by_citizens([i for ids in sent.values() for i in ids])

    def reject_call(self, call: InboundCall) -> None:
        self.messenger.set_call_state(call.provider_id, "rejected")

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        from sprechstunde_cli.providers.base.deletion import DeleteOutcome  # only the purge

        self.messenger.delete(chat, provider_ids)
        left = self.messenger.existing(chat, provider_ids)
        return DeleteOutcome(requested=len(provider_ids), confirmed=len(provider_ids) - len(left))

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        return self.messenger.existing(chat, provider_ids)

    def delete_chat(self, chat: str) -> DeleteOutcome:
        from sprechstunde_cli.providers.base.deletion import DeleteOutcome  # only the purge

        removed = self.messenger.delete_chat(chat)
        return DeleteOutcome(requested=removed, confirmed=removed)

    def announce(self, text: str, key: str) -> Sent:
        return Sent(self.messenger.office_send(STATUS_CHAT, text, key))

    def check(self) -> tuple[str, ...]:
        return ()

    def close(self) -> None:
        self.messenger.close()


def _seq(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(cursor)
    except ValueError:
        raise foreign_reference(_("cursor")) from None


def create(settings: LocalSettings, context: ProviderContext) -> LocalProvider:
    """Factory for the registry; the local messenger needs no settings and no token."""
    return LocalProvider(LocalMessenger(context.paths.local_messenger_file), timer=context.timer)
