"""The built-in local messenger: a real messenger on this machine, for rehearsals.

Its "server" is one SQLite file in the data dir. Citizens are other processes
(`sprechstunde sandbox send/call/inbox`) that write to and read from it; the office reaches it
only through `LocalProvider`, the same Provider interface every remote messenger implements.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from datetime import datetime

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.paths import Paths
from sprechstunde_cli.providers.base import (
    Capabilities,
    DeleteOutcome,
    DeleteReach,
    Event,
    InboundCall,
    InboundMessage,
    MediaRef,
    OutboundMedia,
    ReceiveBatch,
    ReceiveMode,
    Sent,
)
from sprechstunde_cli.providers.local_server import STATUS_CHAT, LocalMessenger, PhoneEntry

__all__ = ["STATUS_CHAT", "LocalMessenger", "LocalProvider", "PhoneEntry", "create"]

POLL_STEP_S = 0.05


class LocalProvider:
    """The office's side of the local messenger, through the common Provider interface."""

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
    )

    def __init__(self, messenger: LocalMessenger) -> None:
        self.messenger = messenger

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        seq = _seq(cursor)
        deadline = time.monotonic() + wait
        while True:
            rows = self.messenger.events_after(seq)
            if rows or time.monotonic() >= deadline:
                break
            time.sleep(min(POLL_STEP_S, max(0.0, deadline - time.monotonic())))
        events = tuple(_event(r) for r in rows)
        return ReceiveBatch(events, str(rows[-1]["seq"] if rows else seq))

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return Sent(self.messenger.office_send(chat, text, key))

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return Sent(
            self.messenger.office_send(
                chat, caption, key, kind=media.kind.value, media=media.data, mime=media.mime
            )
        )

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        if media.size is not None and media.size > max_bytes:
            raise ProviderError(
                f"The file is larger than the limit of {max_bytes} bytes.",
                "Raise hour.max_media_mb in the config to accept it.",
            )
        data = self.messenger.media(media.ref)
        if data is None:
            raise ProviderError(
                "The file is no longer on the local messenger.",
                "It was deleted; ask the citizen to send it again.",
            )
        # The declared size may be missing or wrong; the bytes decide.
        if len(data) > max_bytes:
            raise ProviderError(
                f"The file is larger than the limit of {max_bytes} bytes.",
                "Raise hour.max_media_mb in the config to accept it.",
            )
        return data

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        self.messenger.mark_read(chat, provider_ids)

    def reject_call(self, call: InboundCall) -> None:
        self.messenger.set_call_state(call.provider_id, "rejected")

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        self.messenger.delete(chat, provider_ids)
        left = self.messenger.existing(chat, provider_ids)
        return DeleteOutcome(requested=len(provider_ids), confirmed=len(provider_ids) - len(left))

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        return self.messenger.existing(chat, provider_ids)

    def delete_chat(self, chat: str) -> DeleteOutcome:
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
        # A cursor from another provider (the config switched messengers mid-session).
        raise ProviderError(
            f"The stored cursor {cursor[:20]!r} does not belong to the local messenger.",
            "Finish this session with the provider it was opened with.",
        ) from None


def _event(r: sqlite3.Row) -> Event:
    at = datetime.fromisoformat(r["at"])
    if r["type"] == "call":
        return InboundCall(
            provider_id=r["id"],
            chat=r["chat"],
            sender_name=r["sender_name"],
            at=at,
            video=r["kind"] == "video",
        )
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


def create(paths: Paths, settings: Mapping[str, object]) -> LocalProvider:
    """Factory for the registry; the local messenger needs no settings and no token."""
    return LocalProvider(LocalMessenger(paths.local_messenger_file))
