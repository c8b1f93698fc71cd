"""End-to-end encrypted direct chats against the real Synapse, with matrix-nio's e2e extra as
the citizen's app: created as Element creates them, text, photos and voice notes both ways,
a room key that comes late, a second operator process, and the room keys gone after a purge."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.providers.base.events import InboundEdit, InboundMessage, InboundUnreadable
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.matrix.crypto import STORE_FILE
from sprechstunde_cli.providers.matrix.crypto_place import CryptoPlace
from sprechstunde_cli.providers.matrix.events import ENCRYPTED_NOTE
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from tests.providers.matrix.test_citizen_clients import PDF
from tests.support.contract import OGG, PNG, collect
from tests.support.nio_e2e import E2ECitizen
from tests.support.synapse import Account, Synapse, unique


@pytest.fixture
def citizen(synapse_server: Synapse, tmp_path: Path) -> Iterator[E2ECitizen]:
    account = synapse_server.register(unique("citizen"), name="Anna Beispiel")
    found = E2ECitizen(synapse_server, account, tmp_path / "citizen-store")
    yield found
    found.close()


class Office:
    """Operator processes of one office: each its own provider on the shared crypto store."""

    def __init__(self, server: Synapse, account: Account, root: Path) -> None:
        self.server = server
        self.account = account
        self.place = CryptoPlace(root / "data" / "matrix-crypto", root / "data-keys")
        self.made: list[MatrixProvider] = []

    def process(self, **options: object) -> MatrixProvider:
        client = httpx.Client(
            base_url=self.server.url,
            headers={"Authorization": f"Bearer {self.account.access_token}"},
        )
        settings = MatrixSettings(
            homeserver=self.server.url,
            user_id=self.account.user_id,
            **options,  # type: ignore[arg-type]
        )
        provider = MatrixProvider(settings, MatrixApi(client), crypto=self.place)
        self.made.append(provider)
        return provider

    def close(self) -> None:
        for provider in self.made:
            provider.close()


@pytest.fixture
def office_of(synapse_server: Synapse, office: Account, tmp_path: Path) -> Iterator[Office]:
    found = Office(synapse_server, office, tmp_path / "office")
    yield found
    found.close()


def opened(
    office: Office, citizen: E2ECitizen, **options: object
) -> tuple[MatrixProvider, str, str | None]:
    """`open` runs (its device keys go up), a citizen opens an encrypted chat and writes."""
    provider = office.process(**options)
    _, cursor, _ = collect(provider, None, set(), 1, 0.5)
    room = citizen.create_dm(office.account.user_id)
    citizen.send_text(room, "Guten Tag, die Straßenlaterne ist kaputt")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [e.text for e in found if isinstance(e, InboundMessage)] == [
        "Guten Tag, die Straßenlaterne ist kaputt"
    ]
    return provider, room, cursor


def test_an_encrypted_chat_is_read_and_answered_encrypted(
    office_of: Office, citizen: E2ECitizen, synapse_server: Synapse
) -> None:
    provider, room, _ = opened(office_of, citizen)
    provider.send_text(room, "Danke, wir kümmern uns darum.", "reply.1")
    answers = [e for e in citizen.received(room) if isinstance(e, nio_text())]
    assert [e.body for e in answers] == ["Danke, wir kümmern uns darum."]
    # On the server the answer is ciphertext only.
    reader = synapse_server.client(office_of.account)
    raw = reader.timeline(room)
    reader.close()
    ours = [e for e in raw if e.get("sender") == office_of.account.user_id]
    assert ours and all(e["type"] != "m.room.message" for e in ours)
    assert "kümmern" not in repr(raw)
    # The crypto store is private and holds no text of the chat.
    store = office_of.place.folder / STORE_FILE
    assert stat.S_IMODE(os.stat(office_of.place.folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    assert b"Laterne" not in store.read_bytes()


def test_photos_and_voice_notes_both_ways(office_of: Office, citizen: E2ECitizen) -> None:
    provider, room, cursor = opened(office_of, citizen)
    citizen.send_file(room, PNG, "m.image", "image/png", "laterne.png")
    citizen.send_file(room, OGG, "m.audio", "audio/ogg", "sprachnachricht.ogg")
    citizen.send_file(room, PDF, "m.file", "application/pdf", "Antrag Wohngeld.pdf")
    found, _, _ = collect(provider, cursor, {room}, 3, 15.0)
    photo, voice, document = [e for e in found if isinstance(e, InboundMessage)]
    assert photo.kind is MessageKind.IMAGE and voice.kind is MessageKind.VOICE
    assert document.kind is MessageKind.FILE
    assert photo.media is not None and voice.media is not None and document.media is not None
    assert document.media.filename == "Antrag Wohngeld.pdf"
    assert provider.download_media(photo.media, 1_000_000) == PNG
    assert provider.download_media(voice.media, 1_000_000) == OGG
    assert provider.download_media(document.media, 1_000_000) == PDF

    provider.send_media(room, OutboundMedia(MessageKind.IMAGE, "image/png", PNG), "", "m.1")
    provider.send_media(room, OutboundMedia(MessageKind.VOICE, "audio/ogg", OGG), "", "m.2")
    import nio

    files = [e for e in citizen.received(room) if isinstance(e, nio.RoomEncryptedMedia)]
    assert [type(e).__name__ for e in files] == ["RoomEncryptedImage", "RoomEncryptedAudio"]
    assert [citizen.download(e) for e in files] == [PNG, OGG]


def test_a_chat_that_turns_encrypted_is_answered_encrypted_from_then(
    office_of: Office, citizen: E2ECitizen, synapse_server: Synapse
) -> None:
    provider = office_of.process()
    _, cursor, _ = collect(provider, None, set(), 1, 0.5)
    room = citizen.create_dm(office_of.account.user_id, encrypted=False)
    citizen.send_text(room, "Noch unverschlüsselt")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    provider.send_text(room, "Antwort im Klartext", "reply.a")  # the room is plain: so is this
    citizen.turn_on_encryption(room)
    citizen.send_text(room, "Jetzt verschlüsselt")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [e.text for e in found if isinstance(e, InboundMessage)] == ["Jetzt verschlüsselt"]
    provider.send_text(room, "Antwort verschlüsselt", "reply.b")
    reader = synapse_server.client(office_of.account)
    raw = reader.timeline(room)
    reader.close()
    ours = [e["type"] for e in raw if e.get("sender") == office_of.account.user_id]
    assert [t for t in ours if t in ("m.room.message", "m.room.encrypted")] == [
        "m.room.message",
        "m.room.encrypted",
    ]
    assert "Antwort verschlüsselt" not in repr(raw)


def test_a_second_process_replies_in_the_same_room(office_of: Office, citizen: E2ECitizen) -> None:
    _, room, _ = opened(office_of, citizen)
    other = office_of.process()  # `reply` from another terminal: no sync of its own
    other.send_text(room, "Antwort aus dem zweiten Terminal", "reply.2")
    assert [e.body for e in citizen.received(room) if isinstance(e, nio_text())] == [
        "Antwort aus dem zweiten Terminal"
    ]


def test_a_room_key_that_comes_late_turns_the_note_into_the_message(
    office_of: Office, citizen: E2ECitizen
) -> None:
    provider, room, cursor = opened(office_of, citizen)
    # The citizen's app writes under a new room key whose delivery to the office is held up.
    citizen.watch_key_requests()
    late_id, key = citizen.send_key_later(room, "Und der Gehweg auch")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [(e.provider_id, e.text) for e in found if isinstance(e, InboundMessage)] == [
        (late_id, ENCRYPTED_NOTE)
    ]
    # The office asked the citizen's devices for that key, once.
    citizen.sync()
    asked = [r for r in citizen.key_requests() if r.session_id == key["session_id"]]
    assert len(asked) == 1 and asked[0].room_id == room
    assert asked[0].sender == office_of.account.user_id
    # The key arrives: the note becomes the message, in its place.
    citizen.deliver_key(office_of.account.user_id, key)
    found, _, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [(e.target, e.text) for e in found if isinstance(e, InboundEdit)] == [
        (late_id, "Und der Gehweg auch")
    ]


def test_a_key_that_comes_after_a_restart_still_shows_the_message(
    office_of: Office, citizen: E2ECitizen
) -> None:
    provider, room, cursor = opened(office_of, citizen)
    late_id, key = citizen.send_key_later(room, "Bitte auch den Baum prüfen")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [e.text for e in found if isinstance(e, InboundMessage)] == [ENCRYPTED_NOTE]
    provider.close()  # `open` is stopped ...
    waiting = (office_of.place.folder / "waiting.json").read_bytes()
    assert b"Baum" not in waiting  # what waits is the ciphertext
    assert stat.S_IMODE(os.stat(office_of.place.folder / "waiting.json").st_mode) == 0o600
    citizen.deliver_key(office_of.account.user_id, key)
    restarted = office_of.process()  # ... and started again from its stored cursor
    found, _, _ = collect(restarted, cursor, {room}, 1, 15.0)
    assert [(e.target, e.text) for e in found if isinstance(e, InboundEdit)] == [
        (late_id, "Bitte auch den Baum prüfen")
    ]


def test_a_message_that_stays_unreadable_is_reported_once(
    office_of: Office, citizen: E2ECitizen
) -> None:
    provider, room, cursor = opened(office_of, citizen, unreadable_after=1.0)
    late_id, _ = citizen.send_key_later(room, "Das kommt nie an")
    found, cursor, _ = collect(provider, cursor, {room}, 1, 15.0)
    assert [e.text for e in found if isinstance(e, InboundMessage)] == [ENCRYPTED_NOTE]
    found, cursor, _ = collect(provider, cursor, {room}, 1, 5.0)
    assert [(type(e), e.target) for e in found if isinstance(e, InboundUnreadable)] == [
        (InboundUnreadable, late_id)
    ]
    again, _, _ = collect(provider, cursor, {room}, 1, 2.0)
    assert again == []  # once


def test_the_purge_destroys_the_rooms_keys(office_of: Office, citizen: E2ECitizen) -> None:
    provider, room, _ = opened(office_of, citizen)
    provider.send_text(room, "Wir melden uns.", "reply.3")
    assert provider.device is not None and provider.device.room_keys(room) >= 2
    # Each room key's pickle (the key material, encrypted with the pickle key) as stored.
    pickles = stored_room_keys(provider, room)
    store_file = office_of.place.folder / STORE_FILE
    held = store_file.read_bytes()
    assert pickles and all(p[:40] in held for p in pickles)
    closing = office_of.process()  # `close --purge` runs in its own process
    outcome = closing.delete_chat(room)
    assert outcome.confirmed == 1
    assert closing.device is not None and closing.device.room_keys(room) == 0
    # secure_delete zeroed the freed pages; no journal or WAL file keeps an old copy.
    for path in office_of.place.folder.iterdir():
        data = path.read_bytes()
        assert not [p for p in pickles if p[:40] in data], path.name
    assert {p.name for p in office_of.place.folder.iterdir()} <= {STORE_FILE, "waiting.json"}
    fresh = office_of.process()
    fresh._ensure_identity()
    assert fresh.device is not None and fresh.device.room_keys(room) == 0


def stored_room_keys(provider: MatrixProvider, room: str) -> list[bytes]:
    """The room's Megolm sessions as nio's store holds them (pickled key material)."""
    from nio.store.models import MegolmInboundSessions

    assert provider.device is not None
    store = provider.device.store
    with store.database.bind_ctx(store.models):
        rows = MegolmInboundSessions.select().where(MegolmInboundSessions.room_id == room)
        return [bytes(row.session) for row in rows]


def nio_text() -> type:
    import nio

    return nio.RoomMessageText  # type: ignore[no-any-return]


def test_the_wait_for_a_key_is_a_checked_setting() -> None:
    from sprechstunde_cli.errors import ConfigError
    from sprechstunde_cli.providers.matrix.settings import parse_settings

    base = {"homeserver": "https://matrix.example.org", "user_id": "@amt:example.org"}
    assert parse_settings(base).unreadable_after == 120.0
    assert parse_settings(base | {"unreadable_after": 30}).unreadable_after == 30.0
    for bad in (0, -5, "120", True, 10**6):
        with pytest.raises(ConfigError) as caught:
            parse_settings(base | {"unreadable_after": bad})
        assert caught.value.hint and caught.value.key == "providers.matrix.unreadable_after"


def test_doctor_sees_the_keys_uploaded_and_says_the_device_is_not_cross_signed(
    office_of: Office,
) -> None:
    from sprechstunde_cli.providers.matrix.e2e_check import NO_CROSS_SIGNING

    warnings = office_of.process().check()
    assert NO_CROSS_SIGNING in warnings  # a fresh account has no cross-signing keys


def test_a_crypto_store_that_cannot_be_read_is_named_with_its_fix(office_of: Office) -> None:
    from sprechstunde_cli.errors import ProviderError
    from sprechstunde_cli.providers.matrix.crypto import KEY_FILE

    office_of.process()._ensure_identity()  # the device is made and stored
    (office_of.place.key_dir / KEY_FILE).write_text("ein-anderer-schluessel")
    with pytest.raises(ProviderError) as caught:
        office_of.process()._ensure_identity()
    assert STORE_FILE in caught.value.message and "same backup" in caught.value.hint
