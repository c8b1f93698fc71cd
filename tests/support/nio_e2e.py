"""A citizen with end-to-end encryption on matrix-nio (its e2e extra, on vodozemac), as Element
or BundesMessenger behave: the direct chat is created encrypted (`is_direct`, `m.room.encryption`
in the initial state), every message and file goes out encrypted, and what the office sends is
read by decrypting it. One nio client with its own crypto store lives for the whole test.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import nio
from nio.crypto.attachments import decrypt_attachment

from tests.support.synapse import Account, Synapse

T = TypeVar("T")

ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class E2ECitizen:
    def __init__(self, server: Synapse, account: Account, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.loop = asyncio.new_event_loop()
        config = nio.AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True)
        self.client = nio.AsyncClient(
            server.url, account.user_id, account.device_id, str(store), config=config
        )
        self.client.access_token = account.access_token
        self.client.user_id = account.user_id
        self.client.device_id = account.device_id
        self.client.load_store()
        self.account = account

    def _run(self, step: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(step)

    def close(self) -> None:
        self._run(self.client.close())
        self.loop.close()

    @staticmethod
    def _ok(answer: Any, what: str) -> Any:
        if isinstance(answer, nio.ErrorResponse):
            raise AssertionError(f"nio could not {what}: {answer}")
        return answer

    def sync(self) -> None:
        """One round of what an app does in the background: sync, keys, to-device messages."""

        async def step() -> None:
            self._ok(await self.client.sync(timeout=0, full_state=True), "sync")
            if self.client.should_upload_keys:
                self._ok(await self.client.keys_upload(), "upload keys")
            if self.client.should_query_keys:
                self._ok(await self.client.keys_query(), "query keys")
            if self.client.should_claim_keys:
                users = self.client.get_users_for_key_claiming()
                self._ok(await self.client.keys_claim(users), "claim keys")
            await self.client.send_to_device_messages()

        self._run(step())

    def create_dm(self, office: str, *, encrypted: bool = True) -> str:
        """A direct chat as Element creates it: encrypted from its first event."""

        async def step() -> str:
            answer = await self.client.room_create(
                is_direct=True,
                invite=[office],
                preset=nio.RoomPreset.trusted_private_chat,
                initial_state=[ENCRYPTION] if encrypted else [],
            )
            return str(self._ok(answer, "create the chat").room_id)

        room = self._run(step())
        self.sync()
        return room

    def turn_on_encryption(self, room: str) -> None:
        """As a user does in the room's settings: encryption on, for good."""

        async def step() -> None:
            answer = await self.client.room_put_state(
                room, "m.room.encryption", ENCRYPTION["content"]
            )
            self._ok(answer, "turn on encryption")

        self._run(step())
        self.sync()

    def send(self, room: str, content: dict[str, Any]) -> str:
        self.sync()

        async def step() -> str:
            answer = await self.client.room_send(
                room, "m.room.message", content, ignore_unverified_devices=True
            )
            return str(self._ok(answer, "send").event_id)

        return self._run(step())

    def send_text(self, room: str, text: str) -> str:
        return self.send(room, {"msgtype": "m.text", "body": text})

    def send_file(self, room: str, data: bytes, msgtype: str, mime: str, name: str) -> str:
        async def step() -> dict[str, Any]:
            answer, keys = await self.client.upload(
                io.BytesIO(data),
                content_type=mime,
                filename=name,
                encrypt=True,
                filesize=len(data),
            )
            url = self._ok(answer, "upload").content_uri
            assert keys is not None
            return dict(keys) | {"url": url}

        file = self._run(step())
        content: dict[str, Any] = {
            "msgtype": msgtype,
            "body": name,
            "filename": name,
            "file": file,
            "info": {"mimetype": mime, "size": len(data)},
        }
        if msgtype == "m.audio":
            content["org.matrix.msc3245.voice"] = {}
        return self.send(room, content)

    def send_key_later(self, room: str, text: str) -> tuple[str, dict[str, Any]]:
        """A message under a new room key whose to-device delivery is held back (as when the
        key is lost or delayed): the event id, and the key as `m.room_key` would carry it."""
        olm = self.client.olm
        olm.create_outbound_group_session(room)
        session = olm.outbound_group_sessions[room]
        key = {
            "algorithm": "m.megolm.v1.aes-sha2",
            "room_id": room,
            "session_id": session.id,
            "session_key": session.session_key,  # exported at index 0, before the message
        }
        session.shared = True  # so room_send does not share it now
        return self.send_text(room, text), key

    def deliver_key(self, user: str, key: dict[str, Any]) -> None:
        """The held-back room key reaches every device of `user` over Olm, late."""
        olm = self.client.olm

        async def step() -> None:
            for device in olm.device_store.active_user_devices(user):
                session = olm.session_store.get(device.curve25519)
                assert session is not None, "no Olm session with the office's device"
                content = olm._olm_encrypt(session, device, "m.room_key", key)
                message = nio.ToDeviceMessage("m.room.encrypted", user, device.id, content)
                self._ok(await self.client.to_device(message), "send the key")

        self._run(step())

    def key_requests(self) -> list[Any]:
        """Room key requests other devices sent to this app since it was made."""
        return self._requests

    def watch_key_requests(self) -> None:
        olm = self.client.olm
        self._requests: list[Any] = []
        handle = olm.handle_to_device_event

        def spy(event: Any) -> Any:
            if isinstance(event, nio.RoomKeyRequest):
                self._requests.append(event)
            return handle(event)

        olm.handle_to_device_event = spy

    def received(self, room: str) -> list[Any]:
        """The room's decrypted events from others, oldest first (nio's types)."""
        self.sync()

        async def step() -> list[Any]:
            answer = await self.client.room_messages(room, start="", limit=100)
            chunk = self._ok(answer, "read the room").chunk
            return [e for e in reversed(chunk) if e.sender != self.account.user_id]

        return self._run(step())

    def download(self, event: Any) -> bytes:
        """An encrypted file's bytes, decrypted with the key and hash the event carries."""

        async def step() -> bytes:
            answer = self._ok(await self.client.download(event.url), "download")
            return bytes(answer.body)

        data = self._run(step())
        return bytes(decrypt_attachment(data, event.key["k"], event.hashes["sha256"], event.iv))
