"""A citizen on matrix-nio: an independent Matrix client library, not requests we build.

What a citizen's own app does after writing — redact a message, edit it, send a document or a
location, leave the room — is done here by nio (without its end-to-end extra), against the
test's real Synapse, so the office is checked against another implementation's events.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nio

from tests.support.synapse import Account, Synapse

T = TypeVar("T")


class NioCitizen:
    """One citizen's account on nio; every call runs to its end before it returns."""

    def __init__(self, server: Synapse, account: Account) -> None:
        self.url = server.url
        self.account = account

    def _run(self, step: Callable[[nio.AsyncClient], Awaitable[T]]) -> T:
        async def run() -> T:
            client = nio.AsyncClient(
                self.url, self.account.user_id, device_id=self.account.device_id
            )
            client.access_token = self.account.access_token
            client.user_id = self.account.user_id
            try:
                return await step(client)
            finally:
                await client.close()

        return asyncio.run(run())

    @staticmethod
    def _ok(answer: Any, what: str) -> Any:
        if isinstance(answer, nio.ErrorResponse):
            raise AssertionError(f"nio could not {what}: {answer}")
        return answer

    def send(self, room_id: str, content: dict[str, Any]) -> str:
        async def step(client: nio.AsyncClient) -> str:
            answer = await client.room_send(room_id, "m.room.message", content)
            return str(self._ok(answer, "send").event_id)

        return self._run(step)

    def redact(self, room_id: str, event_id: str) -> None:
        async def step(client: nio.AsyncClient) -> None:
            self._ok(await client.room_redact(room_id, event_id), "redact")

        self._run(step)

    def edit(self, room_id: str, event_id: str, text: str) -> str:
        """An edit as Element sends it: a fallback body with "* " and `m.new_content`."""
        return self.send(
            room_id,
            {
                "msgtype": "m.text",
                "body": f"* {text}",
                "m.new_content": {"msgtype": "m.text", "body": text},
                "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
            },
        )

    def send_file(self, room_id: str, data: bytes, mime: str, name: str) -> str:
        async def step(client: nio.AsyncClient) -> str:
            answer, _ = await client.upload(
                io.BytesIO(data), content_type=mime, filename=name, filesize=len(data)
            )
            url = self._ok(answer, "upload").content_uri
            content = {
                "msgtype": "m.file",
                "body": name,
                "filename": name,
                "url": url,
                "info": {"mimetype": mime, "size": len(data)},
            }
            sent = await client.room_send(room_id, "m.room.message", content)
            return str(self._ok(sent, "send a file").event_id)

        return self._run(step)

    def send_location(self, room_id: str, lat: float, lon: float, body: str) -> str:
        return self.send(
            room_id, {"msgtype": "m.location", "body": body, "geo_uri": f"geo:{lat},{lon}"}
        )

    def leave(self, room_id: str) -> None:
        async def step(client: nio.AsyncClient) -> None:
            self._ok(await client.room_leave(room_id), "leave")

        self._run(step)
