"""The WAHA provider: settings, error mapping, pacing, the write-first guard, deleting, checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import AuthError, ConfigError, ExitCode, ProviderError
from sprechstunde_cli.providers.base import DeleteReach, ProviderContext
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.http import Unauthorized
from sprechstunde_cli.providers.waha import provider as waha
from sprechstunde_cli.providers.waha.client import NotImplementedByEngine, SessionNotWorking
from sprechstunde_cli.providers.waha.events import WebSocketEvents, ws_url
from sprechstunde_cli.providers.waha.settings import capabilities_for, parse_settings
from sprechstunde_cli.system.credentials import require_token
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.waha_rig import ENGINES, WahaRig, waha_rig


@pytest.fixture
def rig() -> Iterator[WahaRig]:
    with waha_rig("WEBJS") as built:
        yield built


def wrote_first(rig: WahaRig, provider: waha.WahaProvider, handle: str = "anna") -> str:
    rig.fake.citizen_send(handle, "Guten Tag")
    batch = provider.receive(None, wait=0)
    return batch.events[0].chat


# --- settings and capabilities --------------------------------------------------------------


def test_settings_default_to_a_local_waha_and_the_webjs_engine() -> None:
    settings = parse_settings({})
    assert (settings.base_url, settings.session, settings.engine) == (
        "http://127.0.0.1:3000",
        "default",
        "WEBJS",
    )
    assert parse_settings({"engine": "gows", "base_url": "http://10.0.0.5:3000/"}).engine == "GOWS"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"base_url": "ftp://127.0.0.1"}, "providers.waha.base_url"),
        ({"base_url": "http://user:pw@127.0.0.1:3000"}, "providers.waha.base_url"),
        ({"engine": "VENOM"}, "providers.waha.engine"),
        ({"session": "a b"}, "providers.waha.session"),
        ({"send_delay_seconds": -1}, "providers.waha.send_delay_seconds"),
        ({"send_delay_seconds": True}, "providers.waha.send_delay_seconds"),
        ({"websocket": "yes"}, "providers.waha.websocket"),
        ({"api_key": "secret"}, "providers.waha.api_key"),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(raw: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw)
    assert caught.value.key == key
    assert caught.value.hint
    assert "secret" not in caught.value.message


def test_create_needs_the_key_from_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = resolve_paths(tmp_path / "config.toml", tmp_path / "data")
    context = ProviderContext(paths, token=lambda: require_token("waha", paths))
    with pytest.raises(AuthError) as caught:
        waha.create(parse_settings({}), context)
    assert "sprechstunde login waha" in caught.value.hint
    monkeypatch.setenv("SPRECHSTUNDE_WAHA_TOKEN", "k-123")
    provider = waha.create(parse_settings({"engine": "WPP"}), context)
    try:
        assert provider.client.headers["X-Api-Key"] == "k-123"
        assert "k-123" not in repr(provider.events)
        assert provider.capabilities.delete_chat
    finally:
        provider.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_capabilities_follow_the_engine(engine: str) -> None:
    caps = capabilities_for(parse_settings({"engine": engine}))
    assert caps.delete_chat is (engine in ("WEBJS", "WPP"))
    assert (caps.delete_reach, caps.revoke_own, caps.reject_calls) == (
        DeleteReach.OPERATOR_SIDE,
        True,
        True,
    )
    assert caps.idempotent_send is False  # sendImage/sendVoice take no pre-generated id
    assert any("citizens' phones keep" in line for line in caps.residual_retention)
    assert any("cannot delete chats" in line for line in caps.residual_retention) is (
        not caps.delete_chat
    )
    assert (
        capabilities_for(parse_settings({"engine": engine, "websocket": False})).reject_calls
        is False
    )


# --- error mapping --------------------------------------------------------------------------


def test_transport_failures_and_5xx_are_retryable(rig: WahaRig) -> None:
    provider = rig.provider()
    rig.fake.break_next(httpx.ConnectError)
    with pytest.raises(ProviderError) as refused:
        provider.receive(None, wait=0)
    assert refused.value.retryable and "Cannot reach WAHA" in refused.value.message
    rig.fake.break_next(httpx.ReadTimeout)
    with pytest.raises(ProviderError) as slow:
        provider.receive(None, wait=0)
    assert slow.value.retryable and "in time" in slow.value.message
    rig.fake.fail(503)
    with pytest.raises(ProviderError) as failed:
        provider.receive(None, wait=0)
    assert failed.value.retryable and "HTTP 503" in failed.value.message


def test_429_carries_retry_after(rig: WahaRig) -> None:
    provider = rig.provider()
    chat = wrote_first(rig, provider)
    rig.fake.fail(429, path="/api/sendText", headers={"Retry-After": "7"})
    with pytest.raises(ProviderError) as caught:
        provider.send_text(chat, "Danke", key="k-429")
    assert (caught.value.retryable, caught.value.retry_after) == (True, 7.0)


def test_a_wrong_key_is_an_auth_error_that_names_login(rig: WahaRig) -> None:
    provider = rig.provider()
    provider.client.headers["X-Api-Key"] = "wrong"
    with pytest.raises(Unauthorized) as caught:
        provider.receive(None, wait=0)
    assert caught.value.exit_code is ExitCode.AUTH
    assert "sprechstunde login waha" in caught.value.hint
    assert "wrong" not in caught.value.message + caught.value.hint


@pytest.mark.parametrize(
    ("status", "fix"),
    [("SCAN_QR_CODE", "QR code"), ("STOPPED", "/start"), ("FAILED", "restart")],
)
def test_a_session_that_is_not_working_says_its_state_and_the_fix(
    rig: WahaRig, status: str, fix: str
) -> None:
    provider = rig.provider()
    rig.fake.status = status
    with pytest.raises(SessionNotWorking) as caught:
        provider.receive(None, wait=0)
    assert status in caught.value.message
    assert fix in caught.value.hint
    assert caught.value.retryable  # pending replies go out once the phone is back
    with pytest.raises(SessionNotWorking):
        provider.check()


@pytest.mark.parametrize("status", [422, 501])
def test_not_implemented_by_the_engine_is_recognised_old_and_new(status: int) -> None:
    with waha_rig("WEBJS", strict=False, not_implemented_status=status) as rig:
        provider = rig.provider()
        chat = wrote_first(rig, provider)
        rig.fake.features.discard("chats.delete")  # as if WAHA ran another engine
        with pytest.raises(NotImplementedByEngine) as caught:
            provider.delete_chat(chat)
        assert "WEBJS engine cannot" in caught.value.message
        assert not caught.value.retryable


def test_other_refusals_are_final_and_keep_wahas_words_out(rig: WahaRig) -> None:
    provider = rig.provider()
    chat = wrote_first(rig, provider)
    body = {"statusCode": 400, "message": "chat 490000000001@c.us is invalid"}
    rig.fake.fail(400, path="/api/sendText", body=body)
    with pytest.raises(ProviderError) as caught:
        provider.send_text(chat, "Danke", key="k-400")
    assert not caught.value.retryable
    assert "4900" not in caught.value.message


# --- sending ----------------------------------------------------------------------------------


def test_every_send_is_paced_behind_a_typing_indicator(rig: WahaRig) -> None:
    provider = rig.provider()
    chat = wrote_first(rig, provider)
    provider.send_text(chat, "Eins", key="k-1")
    provider.send_text(chat, "Zwei", key="k-2")
    assert rig.sleeps == [1.5, 1.5]
    assert rig.fake.log == [("typing", chat), ("paused", chat), ("send", chat)] * 2
    assert rig.fake.phone_texts("anna") == ["Eins", "Zwei"]


def test_nobody_is_written_to_first(rig: WahaRig) -> None:
    provider = rig.provider()
    stranger = rig.fake.citizen("stranger").pn
    with pytest.raises(ProviderError) as caught:
        provider.send_text(stranger, "Werbung", key="k-x")
    assert "write first" in caught.value.message
    assert rig.fake.log == []
    with pytest.raises(ProviderError):
        provider.send_text("120363000000000001@g.us", "Hallo Gruppe", key="k-g")
    assert rig.fake.phone_texts("stranger") == []


def test_after_a_restart_a_chat_that_wrote_before_is_answered(rig: WahaRig) -> None:
    chat = wrote_first(rig, rig.provider())
    fresh = rig.provider()
    fresh.send_text(chat, "Antwort nach Neustart", key="k-r")
    assert rig.fake.phone_texts("anna") == ["Antwort nach Neustart"]


def test_a_retried_text_is_not_sent_twice_even_after_a_restart(rig: WahaRig) -> None:
    chat = wrote_first(rig, rig.provider())
    first = rig.provider().send_text(chat, "Nur einmal", key="outbox-7")
    again = rig.provider().send_text(chat, "Nur einmal", key="outbox-7")
    assert again.provider_id == first.provider_id
    assert rig.fake.phone_texts("anna") == ["Nur einmal"]
    # Without the provider's look-up WAHA would deliver the repeated id again.
    body = {"session": "default", "chatId": chat, "text": "Nur einmal", "id": "3EB0FIXED"}
    with httpx.Client(transport=httpx.MockTransport(rig.fake), base_url=rig.hub.base_url) as http:
        for _ in range(2):
            http.post("/api/sendText", json=body, headers={"X-Api-Key": rig.fake.api_key})
    assert rig.fake.phone_texts("anna").count("Nur einmal") == 3


def test_voice_is_sent_as_ogg_opus_and_other_audio_is_converted(rig: WahaRig) -> None:
    from tests.support.contract import OGG

    provider = rig.provider()
    chat = wrote_first(rig, provider)
    media = OutboundMedia(MessageKind.VOICE, "audio/ogg", OGG)
    sent = provider.send_media(chat, media, "", key="v-1")
    assert sent.provider_id.startswith(f"true_{chat}_")
    assert rig.fake.phone_media("anna") == [OGG]
    assert rig.fake.office[sent.provider_id].mimetype == "audio/ogg; codecs=opus"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_id_of_a_sent_photo_is_read_from_every_engines_answer(engine: str) -> None:
    from tests.support.contract import PNG

    with waha_rig(engine) as rig:
        provider = rig.provider()
        chat = wrote_first(rig, provider)
        media = OutboundMedia(MessageKind.IMAGE, "image/png", PNG)
        sent = provider.send_media(chat, media, "Plan", key="p-1")
        assert sent.provider_id in rig.fake.office
        assert rig.fake.phone_texts("anna") == ["Plan"]


# --- read receipts, deleting, announcing ------------------------------------------------------


@pytest.mark.parametrize(("engine", "both_read"), [("WEBJS", True), ("NOWEB", False)])
def test_mark_read_uses_message_ids_where_the_engine_takes_them(
    engine: str, both_read: bool
) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "eins")
        rig.fake.citizen_send("anna", "zwei")
        events = provider.receive(None, wait=0).events
        provider.mark_read(events[0].chat, [events[0].provider_id])
        assert [i.read for i in rig.fake.citizen("anna").phone] == [True, both_read]


def test_a_reply_past_the_revoke_window_is_deleted_for_the_office_only(rig: WahaRig) -> None:
    provider = rig.provider()
    chat = wrote_first(rig, provider)
    old = provider.send_text(chat, "Alte Antwort", key="k-old")
    rig.fake.time.advance(3 * 24 * 3600)  # past WhatsApp's window (about two days)
    new = provider.send_text(chat, "Neue Antwort", key="k-new")
    outcome = provider.delete_messages(chat, [old.provider_id, new.provider_id])
    assert (outcome.requested, outcome.confirmed) == (2, 2)
    assert rig.fake.phone_texts("anna") == ["Alte Antwort"]  # the new one was revoked


def test_deleting_a_chat_empties_the_office_side_only(rig: WahaRig) -> None:
    provider = rig.provider()
    chat = wrote_first(rig, provider)
    provider.send_text(chat, "Gern", key="k-c")
    outcome = provider.delete_chat(chat)
    assert (outcome.requested, outcome.confirmed, outcome.failures) == (1, 1, ())
    assert rig.fake.office_ids() == set() and rig.fake.chats == set()
    assert rig.fake.phone_own("anna") == ["Guten Tag"]
    assert rig.fake.phone_texts("anna") == ["Gern"]


@pytest.mark.parametrize("engine", ["NOWEB", "GOWS"])
def test_engines_without_delete_chat_are_never_asked(engine: str) -> None:
    with waha_rig(engine) as rig:  # strict: the fake must see no unimplemented call
        provider = rig.provider()
        chat = wrote_first(rig, provider)
        with pytest.raises(NotImplementedByEngine) as caught:
            provider.delete_chat(chat)
        assert "WEBJS or WPP" in caught.value.hint
        assert ("DELETE", "/api/{session}/chats/{chatId}") not in rig.fake.requests


def test_announce_posts_a_text_status(rig: WahaRig) -> None:
    sent = rig.provider().announce("Sprechstunde am Mittwoch", key="a-1")
    [status] = rig.fake.statuses
    assert status["text"] == "Sprechstunde am Mittwoch"
    assert (status["backgroundColor"], status["font"], status["linkPreview"]) == (
        "#38b42f",
        0,
        False,
    )
    assert sent.provider_id.startswith("true_status@broadcast_")


# --- check (sprechstunde doctor) --------------------------------------------------------------


def test_check_passes_quietly_on_a_good_setup(rig: WahaRig) -> None:
    assert rig.provider().check() == ()


def test_check_warns_about_saved_contacts_and_a_public_address(rig: WahaRig) -> None:
    rig.fake.contacts = [
        {"id": "490000000050@c.us", "name": "Frau Muster", "isMyContact": True},
        {"id": "490000000051@c.us", "pushname": "Herr X", "isMyContact": False},
        {"id": rig.fake.me, "isMe": True, "isMyContact": True},
    ]
    warnings = rig.provider().check()
    assert any("1 saved contact" in w for w in warnings)
    public = rig.provider(base_url="http://waha.example.org:3000", websocket=False)
    assert any("internet" in w for w in public.check())


def test_check_refuses_a_wrong_engine_or_a_missing_session(rig: WahaRig) -> None:
    with pytest.raises(ProviderError) as engine:
        rig.provider(engine="NOWEB").check()
    assert 'engine = "WEBJS"' in engine.value.hint
    with pytest.raises(ProviderError) as session:
        rig.provider(session="other").check()
    assert "no session named 'other'" in session.value.message


def test_check_warns_when_the_event_stream_refuses_the_key(rig: WahaRig) -> None:
    provider = rig.provider()
    provider.events = WebSocketEvents(ws_url(rig.hub.base_url, "wrong", "default"))
    warnings = provider.check()
    assert any("refused the API key" in w and "Calls" in w for w in warnings)
    assert all("wrong" not in w for w in warnings)


def test_settings_are_frozen() -> None:
    settings = parse_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.engine = "GOWS"  # type: ignore[misc]
