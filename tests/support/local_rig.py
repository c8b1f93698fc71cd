"""The citizens' side of the local messenger, for the contract suite and the soak."""

from __future__ import annotations

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.providers.local.server import STATUS_CHAT, LocalMessenger

# Fictitious numbers: the local messenger takes any handle, these look like the real thing.
NUMBERS = {"anna": "+49 000 0000011", "bernd": "+49 000 0000012"}


class LocalCitizens:
    """The citizens' side of the local messenger, on its own connection like another process."""

    def __init__(self, messenger: LocalMessenger) -> None:
        self.messenger = messenger

    def chat_id(self, handle: str) -> str:
        return NUMBERS.get(handle, handle)

    def send_text(self, handle: str, text: str) -> None:
        self.messenger.citizen_send(self.chat_id(handle), text, name=handle.title())

    def send_image(self, handle: str, data: bytes, caption: str) -> None:
        self.messenger.citizen_send(
            self.chat_id(handle),
            caption,
            kind=MessageKind.IMAGE,
            media=data,
            mime="image/png",
            filename="foto.png",
        )

    def send_voice(self, handle: str, data: bytes) -> None:
        self.messenger.citizen_send(
            self.chat_id(handle),
            kind=MessageKind.VOICE,
            media=data,
            mime="audio/ogg",
            filename="sprachnachricht.ogg",
        )

    def withdraw(self, handle: str) -> None:
        self.messenger.citizen_withdraw(self.chat_id(handle))

    def edit(self, handle: str, text: str) -> None:
        self.messenger.citizen_edit(self.chat_id(handle), text)

    def call(self, handle: str) -> None:
        self.messenger.citizen_call(self.chat_id(handle))

    def phone(self, handle: str) -> list[str]:
        entries = self.messenger.phone(self.chat_id(handle))
        return [e.text for e in entries if e.incoming and e.type == "message" and e.text]

    def phone_media(self, handle: str) -> list[bytes]:
        entries = self.messenger.phone(self.chat_id(handle))
        found = [self.messenger.media(e.id) for e in entries if e.incoming and e.size]
        return [data for data in found if data is not None]

    def phone_files(self, handle: str) -> list[tuple[str, str]]:
        entries = self.messenger.phone(self.chat_id(handle))
        return [(e.filename, e.mime or "") for e in entries if e.incoming and e.size]

    def notices(self) -> list[str]:
        return [e.text for e in self.messenger.phone(STATUS_CHAT) if e.incoming]

    def call_declined(self, handle: str) -> bool:
        calls = [e for e in self.messenger.phone(self.chat_id(handle)) if e.type == "call"]
        return bool(calls) and calls[-1].call_state == "rejected"
