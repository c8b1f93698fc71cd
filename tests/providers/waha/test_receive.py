"""Receiving from WAHA: overlap and dedup, paging, @lid and @c.us as one chat, media, calls."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base.events import InboundCall, InboundMessage
from sprechstunde_cli.providers.waha.chats import message_key
from tests.support.contract import OGG, PNG, eventually
from tests.support.fakes.waha import Msg
from tests.support.waha_rig import ENGINES, waha_rig


def bodies(events: tuple[object, ...]) -> list[str]:
    return [e.text for e in events if isinstance(e, InboundMessage)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_late_message_within_the_overlap_is_found_once(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        first = rig.fake.citizen_send("anna", "eins")
        rig.fake.citizen_send("anna", "zwei")  # the same second as "eins"
        batch = provider.receive(None, wait=0)
        assert bodies(batch.events) == ["eins", "zwei"]
        # Reaches WAHA only now, stamped 30 s before the last one handed out.
        rig.fake.citizen_send("anna", "verspätet", ts=first.ts - 30)
        rig.fake.citizen_send("bernd", "neu")
        again = provider.receive(batch.cursor, wait=0)
        assert sorted(bodies(again.events)) == ["neu", "verspätet"]
        assert provider.receive(again.cursor, wait=0).events == ()


def test_only_the_overlap_is_remembered_in_the_cursor() -> None:
    with waha_rig("WEBJS") as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "alt")
        cursor = provider.receive(None, wait=0).cursor
        rig.fake.time.advance(600)
        rig.fake.citizen_send("anna", "neu")
        batch = provider.receive(cursor, wait=0)
        state = json.loads(batch.cursor)
        [(chat, seen)] = state["seen"].items()
        key = message_key(batch.events[0].provider_id)  # the message's own, not WAHA's id
        assert list(seen) == [key]  # "alt" fell out of the window
        assert state["hw"][chat] == seen[key]


def test_a_message_later_than_the_overlap_is_not_found() -> None:
    """The documented bound: WAHA must hand a message over within `overlap_seconds`."""
    with waha_rig("WEBJS") as rig:
        provider = rig.provider()
        now = rig.fake.citizen_send("anna", "jetzt")
        cursor = provider.receive(None, wait=0).cursor
        rig.fake.citizen_send("anna", "viel zu spät", ts=now.ts - 61)
        assert provider.receive(cursor, wait=0).events == ()


@pytest.mark.parametrize("engine", ["WEBJS", "GOWS"])
def test_pages_are_followed_to_the_end_in_order(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Hallo")
        chat = provider.receive(None, wait=0).events[0].chat
        cursor = None  # from the start, so one receive has to page through everything
        for i in range(230):
            rig.fake.citizen_send("anna" if i % 3 else "bernd", f"m{i}")
            if i % 50 == 0:
                provider.send_text(chat, f"Antwort {i}", key=f"r{i}")  # makes pages short
        events = provider.receive(cursor, wait=0).events
        bernd = rig.fake.citizen("bernd").pn
        # Order holds per chat; across chats WAHA's whole seconds cannot tell.
        assert bodies(tuple(e for e in events if e.chat == chat)) == ["Hallo"] + [
            f"m{i}" for i in range(230) if i % 3
        ]
        assert bodies(tuple(e for e in events if e.chat == bernd)) == [
            f"m{i}" for i in range(230) if i % 3 == 0
        ]


def test_groups_and_status_updates_are_not_citizens() -> None:
    with waha_rig("GOWS") as rig:
        provider = rig.provider()
        for chat in ("120363000000000001@g.us", "status@broadcast"):
            msg = Msg("AB12", chat, False, int(rig.fake.time.now()), "Rundmail")
            rig.fake.office[msg.id] = msg
        rig.fake.citizen_send("anna", "Frage")
        assert bodies(provider.receive(None, wait=0).events) == ["Frage"]


# --- one person, one chat ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_lid_and_phone_number_of_one_citizen_are_one_chat(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna", writes_as="lid")
        rig.fake.citizen_send("anna", "als lid")
        anna.writes_as = "pn"
        rig.fake.citizen_send("anna", "als Nummer")
        events = provider.receive(None, wait=0).events
        assert {e.chat for e in events} == {anna.pn}
        provider.send_text(anna.pn, "Eine Antwort", key="k")
        assert rig.fake.phone_texts("anna") == ["Eine Antwort"]


def test_a_lid_learned_later_keeps_the_first_chat_id() -> None:
    with waha_rig("NOWEB") as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna", writes_as="lid", lid_known=False)
        rig.fake.citizen_send("anna", "unbekannt")
        first = provider.receive(None, wait=0)
        assert [e.chat for e in first.events] == [anna.lid]
        anna.lid_known, anna.writes_as = True, "pn"  # WAHA now maps the two ids
        rig.fake.citizen_send("anna", "mit Nummer")
        restarted = rig.provider()  # the alias survives in the cursor, not only in memory
        second = restarted.receive(first.cursor, wait=0)
        assert [e.chat for e in second.events] == [anna.lid]


def test_without_lid_lookups_the_ids_stay_as_waha_shows_them() -> None:
    with waha_rig("GOWS", strict=False) as rig:
        rig.fake.features.discard("lids")
        provider = rig.provider()
        anna = rig.fake.citizen("anna", writes_as="lid")
        rig.fake.citizen_send("anna", "eins")
        rig.fake.citizen_send("anna", "zwei")
        events = provider.receive(None, wait=0).events
        assert [e.chat for e in events] == [anna.lid, anna.lid]
        assert rig.fake.unimplemented == ["lid lookup"]  # asked once, then never again


# --- media ------------------------------------------------------------------------------------


def test_media_is_fetched_fresh_though_wahas_file_expired() -> None:
    with waha_rig("WEBJS", files_lifetime=180) as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Foto", PNG, "image/png", "schlagloch.png")
        rig.fake.citizen_send("anna", "", OGG, "audio/ogg; codecs=opus")
        image, voice = provider.receive(None, wait=0).events
        assert isinstance(image, InboundMessage) and isinstance(voice, InboundMessage)
        assert (image.kind, voice.kind) == (MessageKind.IMAGE, MessageKind.VOICE)
        assert image.media is not None and image.media.filename == "schlagloch.png"
        [(old_name, _)] = [(n, f) for n, f in rig.fake.files.items() if n.endswith(".png")]
        rig.fake.time.advance(181)  # WHATSAPP_FILES_LIFETIME has passed
        with httpx.Client(transport=httpx.MockTransport(rig.fake)) as http:
            gone = http.get(f"http://localhost:3000/api/files/{old_name}")
            assert gone.status_code in (401, 404)
        assert provider.download_media(image.media, max_bytes=len(PNG)) == PNG
        with pytest.raises(ProviderError) as big:
            provider.download_media(image.media, max_bytes=len(PNG) - 1)
        assert "hour.max_media_mb" in big.value.hint


def test_media_waha_did_not_download_is_a_clear_error() -> None:
    with waha_rig("WEBJS") as rig:
        rig.fake.download_media = False  # WHATSAPP_DOWNLOAD_MEDIA=false
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Foto", PNG, "image/png")
        [event] = provider.receive(None, wait=0).events
        assert isinstance(event, InboundMessage) and event.media is not None
        assert event.media.mime == "application/octet-stream"  # WAHA named no type
        with pytest.raises(ProviderError) as caught:
            provider.download_media(event.media, max_bytes=10**6)
        assert "WHATSAPP_DOWNLOAD_MEDIA" in caught.value.hint


def test_the_key_goes_only_to_the_configured_waha() -> None:
    with waha_rig("WEBJS") as rig:
        provider = rig.provider()
        rig.fake.public_base = "http://attacker.example.org"  # whatever WAHA_BASE_URL says
        rig.fake.citizen_send("anna", "", PNG, "image/png")
        [event] = provider.receive(None, wait=0).events
        assert isinstance(event, InboundMessage) and event.media is not None
        assert provider.download_media(event.media, max_bytes=10**6) == PNG


# --- calls and the event stream ---------------------------------------------------------------


def test_a_dropped_event_stream_is_reopened_and_calls_come_through() -> None:
    with waha_rig("WPP") as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Hallo")
        cursor = provider.receive(None, wait=0).cursor
        assert provider.events is not None and provider.events.alive
        rig.hub.drop_clients()
        assert eventually(lambda: not provider.events.alive, 2.0)
        provider._last_connect = -100.0  # the reconnect pause has passed
        provider.receive(cursor, wait=0)
        assert provider.events.alive
        rig.fake.citizen_call("anna", video=True)
        batch = provider.receive(cursor, wait=2.0)
        [call] = batch.events
        assert isinstance(call, InboundCall) and call.video
        provider.reject_call(call)
        assert rig.fake.call_declined("anna")


def test_without_the_event_stream_no_call_is_pretended() -> None:
    with waha_rig("WEBJS") as rig:
        provider = rig.provider(websocket=False)
        assert provider.events is None and not provider.capabilities.reject_calls
        rig.fake.citizen_call("anna")
        started = time.monotonic()
        assert provider.receive(None, wait=0.2).events == ()
        assert time.monotonic() - started < 2.0


def test_a_cursor_from_another_provider_is_refused() -> None:
    with waha_rig("WEBJS") as rig:
        with pytest.raises(ProviderError) as caught:
            rig.provider().receive("1234", wait=0)
        assert "does not belong to this messenger" in caught.value.message
        assert caught.value.hint
