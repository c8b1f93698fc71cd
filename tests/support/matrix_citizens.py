"""Citizens as real Matrix users on the test Synapse: the `CitizenSide` of the contract suite."""

from __future__ import annotations

import secrets
from typing import Any

from tests.support.nio_citizen import NioCitizen
from tests.support.synapse import MatrixClient, Synapse, unique

CALL_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


class MatrixCitizens:
    """Citizens as real Matrix users: each opens a direct chat with the office and writes."""

    def __init__(self, server: Synapse, office: str, broadcast: str | None = None) -> None:
        self.server = server
        self.office = office
        self.broadcast = broadcast  # the broadcast room's id, if the office has one
        self.clients: dict[str, MatrixClient] = {}
        self.rooms: dict[str, str] = {}
        self.calls: dict[str, str] = {}
        self.last: dict[str, str] = {}  # each citizen's last message's event id
        self._reader: MatrixClient | None = None

    def _open(self, handle: str) -> tuple[MatrixClient, str]:
        if handle not in self.clients:
            account = self.server.register(unique(handle), name=handle.title())
            client = self.server.client(account)
            self.clients[handle] = client
            self.rooms[handle] = client.create_dm(self.office)
        return self.clients[handle], self.rooms[handle]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        if self._reader is not None:
            self._reader.close()

    def notices(self) -> list[str]:
        """What anyone who joined the public broadcast room reads there."""
        if self.broadcast is None:
            return []
        if self._reader is None:
            self._reader = self.server.client(self.server.register(unique("leser")))
            self._reader.join(self.broadcast)
        return [
            e["content"]["body"]
            for e in self._reader.timeline(self.broadcast)
            if e["type"] == "m.room.message" and (e.get("content") or {}).get("body")
        ]

    def chat_id(self, handle: str) -> str:
        return self._open(handle)[1]

    def send_text(self, handle: str, text: str) -> None:
        client, room = self._open(handle)
        self.last[handle] = client.send(room, {"msgtype": "m.text", "body": text})

    def nio(self, handle: str) -> tuple[NioCitizen, str]:
        """The citizen's account on matrix-nio, an independent client, and their room."""
        client, room = self._open(handle)
        return NioCitizen(self.server, client.account), room

    def withdraw(self, handle: str) -> None:
        citizen, room = self.nio(handle)
        citizen.redact(room, self.last[handle])

    def edit(self, handle: str, text: str) -> None:
        citizen, room = self.nio(handle)
        citizen.edit(room, self.last[handle], text)

    def send_image(self, handle: str, data: bytes, caption: str) -> None:
        client, room = self._open(handle)
        url = client.upload(data, "image/png", "foto.png")
        content = {
            "msgtype": "m.image",
            "body": caption or "foto.png",
            "filename": "foto.png",
            "url": url,
            "info": {"mimetype": "image/png", "size": len(data)},
        }
        client.send(room, content)

    def send_voice(self, handle: str, data: bytes) -> None:
        client, room = self._open(handle)
        url = client.upload(data, "audio/ogg", "sprachnachricht.ogg")
        content = {
            "msgtype": "m.audio",
            "body": "sprachnachricht.ogg",
            "url": url,
            "info": {"mimetype": "audio/ogg", "size": len(data), "duration": 1500},
            "org.matrix.msc3245.voice": {},
            "org.matrix.msc1767.audio": {"duration": 1500},
        }
        client.send(room, content)

    def call(self, handle: str) -> None:
        client, room = self._open(handle)
        call_id = secrets.token_hex(8)
        self.calls[handle] = call_id
        content = {
            "call_id": call_id,
            "version": "1",
            "party_id": "citizen",
            "lifetime": 60_000,
            "offer": {"type": "offer", "sdp": CALL_SDP},
        }
        client.send(room, content, "m.call.invite")

    def _from_office(self, handle: str) -> list[dict[str, Any]]:
        client, room = self._open(handle)
        return [e for e in client.timeline(room) if e.get("sender") == self.office]

    def phone(self, handle: str) -> list[str]:
        shown = []
        for event in self._from_office(handle):
            content = event.get("content") or {}
            if event["type"] != "m.room.message" or not content.get("body"):
                continue  # redacted events have no content left
            if "url" in content and content.get("body") == content.get("filename"):
                continue  # a file without caption
            shown.append(content["body"])
        return shown

    def phone_media(self, handle: str) -> list[bytes]:
        client, _ = self._open(handle)
        found = []
        for event in self._from_office(handle):
            url = (event.get("content") or {}).get("url")
            if isinstance(url, str) and (data := client.download(url)) is not None:
                found.append(data)
        return found

    def phone_files(self, handle: str) -> list[tuple[str, str]]:
        found = []
        for event in self._from_office(handle):
            content = event.get("content") or {}
            if isinstance(content.get("url"), str):
                mime = (content.get("info") or {}).get("mimetype", "")
                found.append((content.get("filename") or content.get("body", ""), mime))
        return found

    def call_declined(self, handle: str) -> bool:
        call_id = self.calls.get(handle)
        return any(
            e["type"] in {"m.call.reject", "m.call.hangup"}
            and (e.get("content") or {}).get("call_id") == call_id
            for e in self._from_office(handle)
        )
