"""The provider contract: one suite every messenger provider passes (docs/ARCHITECTURE.md, Testing).

A provider's test module subclasses `ProviderContract` and supplies an `env` fixture:

    class TestLocalContract(ProviderContract):
        @pytest.fixture
        def env(self, tmp_path: Path) -> Iterator[ProviderEnv]: ...

The checks use only the `Provider` protocol and its `Capabilities`. Where a capability is
missing the check does not skip: it asserts the behaviour that capability promises instead
(a refusal with `ProviderError`, or the citizen's phone still showing what was not deleted).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import DeleteReach, Provider
from sprechstunde_cli.providers.base.events import (
    Event,
    InboundCall,
    InboundEdit,
    InboundMessage,
    InboundWithdrawal,
)
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png
from tests.support.contract_closing import ClosingContract

PNG = make_png(3, 2, (200, 30, 40))
OGG = make_ogg_opus(1.5)


class CitizenSide(Protocol):
    """The citizens' phones in a test environment, next to the provider under test.

    A handle ("anna", "bernd") names one citizen; the environment maps it to an account.
    Methods may be called from a helper thread while the provider blocks in `receive`.
    """

    def send_text(self, handle: str, text: str) -> None: ...

    def send_image(self, handle: str, data: bytes, caption: str) -> None: ...

    def send_voice(self, handle: str, data: bytes) -> None: ...

    def call(self, handle: str) -> None: ...

    def withdraw(self, handle: str) -> None:
        """The citizen deletes their last text for everyone (redaction, revoke)."""
        ...

    def edit(self, handle: str, text: str) -> None:
        """The citizen replaces the text of their last text message."""
        ...

    def phone(self, handle: str) -> list[str]:
        """Texts and captions the citizen's device shows from the office, oldest first."""
        ...

    def phone_media(self, handle: str) -> list[bytes]:
        """Files the citizen's device shows from the office, oldest first."""
        ...

    def phone_files(self, handle: str) -> list[tuple[str, str]]:
        """(file name, MIME type) of each file from the office on the device, oldest first."""
        ...

    def call_declined(self, handle: str) -> bool:
        """True if the device shows the citizen's last call as declined by the other side."""
        ...

    def chat_id(self, handle: str) -> str:
        """The provider's chat address for this citizen (what `InboundMessage.chat` holds)."""
        ...

    def notices(self) -> list[str]:
        """Public notices any citizen can see (status, channel, broadcast room), oldest first."""
        ...


@dataclass(frozen=True)
class ProviderEnv:
    provider: Provider
    citizen: CitizenSide
    # A fresh provider instance on the same account, as after a process restart.
    restart: Callable[[], Provider]
    # How long a message may take to travel between the two sides.
    settle: float = 5.0


def eventually(check: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def collect(
    provider: Provider, cursor: str | None, chats: set[str], count: int, within: float
) -> tuple[list[Event], str | None, int]:
    """Receive until `count` events from `chats` arrived; return them, the cursor and the calls."""
    found: list[Event] = []
    calls = 0
    deadline = time.monotonic() + within
    while len(found) < count and time.monotonic() < deadline:
        batch = provider.receive(cursor, wait=min(0.5, max(0.0, deadline - time.monotonic())))
        calls += 1
        found += [e for e in batch.events if e.chat in chats]
        cursor = batch.cursor
    return found, cursor, calls


def texts(events: list[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, InboundMessage)]


def first_contact(env: ProviderEnv, handle: str) -> tuple[str, str | None]:
    """The citizen writes first (as in every real session); return their chat and the cursor."""
    chat = env.citizen.chat_id(handle)
    env.citizen.send_text(handle, f"Guten Tag, hier {handle}")
    # No cursor: a fresh environment's account holds nothing older than this test.
    events, cursor, _ = collect(env.provider, None, {chat}, 1, env.settle)
    assert texts(events) == [f"Guten Tag, hier {handle}"]
    assert events[0].chat == chat
    return chat, cursor


class ProviderContract(ClosingContract):
    """Mix into a `Test…` class that provides an `env` fixture yielding a `ProviderEnv`."""

    # --- receiving ------------------------------------------------------------------------

    def test_receive_hands_out_every_event_once_and_in_order(self, env: ProviderEnv) -> None:
        anna, bernd = env.citizen.chat_id("anna"), env.citizen.chat_id("bernd")
        for text in ("a1", "a2"):
            env.citizen.send_text("anna", text)
        env.citizen.send_text("bernd", "b1")
        env.citizen.send_text("anna", "a3")
        first, cursor, _ = collect(env.provider, None, {anna, bernd}, 4, env.settle)
        env.citizen.send_text("bernd", "b2")
        env.citizen.send_text("anna", "a4")
        second, cursor, _ = collect(env.provider, cursor, {anna, bernd}, 2, env.settle)
        events = first + second
        assert [e.text for e in events if isinstance(e, InboundMessage) and e.chat == anna] == [
            "a1",
            "a2",
            "a3",
            "a4",
        ]
        assert [e.text for e in events if isinstance(e, InboundMessage) and e.chat == bernd] == [
            "b1",
            "b2",
        ]
        assert len({e.provider_id for e in events}) == 6
        again = env.provider.receive(cursor, wait=0.2)
        assert [e for e in again.events if e.chat in {anna, bernd}] == []

    def test_a_restarted_provider_resumes_at_the_cursor(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.send_text("anna", "vor dem Neustart")
        before, cursor, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        assert texts(before) == ["vor dem Neustart"]
        env.provider.close()
        env.citizen.send_text("anna", "während des Neustarts")
        restarted = env.restart()
        after, cursor, _ = collect(restarted, cursor, {chat}, 1, env.settle)
        assert texts(after) == ["während des Neustarts"]
        leftover = restarted.receive(cursor, wait=0.2)
        assert [e for e in leftover.events if e.chat == chat] == []

    def test_wait_returns_as_soon_as_an_event_arrives(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        wait = env.settle + 10
        timer = threading.Timer(0.3, env.citizen.send_text, ("anna", "Sind Sie da?"))
        started = time.monotonic()
        timer.start()
        try:
            batch = env.provider.receive(cursor, wait=wait)
        finally:
            timer.join()
        elapsed = time.monotonic() - started
        assert texts([e for e in batch.events if e.chat == chat]) == ["Sind Sie da?"]
        assert elapsed < wait / 2
        assert batch.cursor != cursor

    def test_wait_without_events_returns_an_empty_batch_and_the_same_cursor(
        self, env: ProviderEnv
    ) -> None:
        _, cursor = first_contact(env, "anna")
        started = time.monotonic()
        batch = env.provider.receive(cursor, wait=0.3)
        assert batch.events == ()
        assert batch.cursor == cursor
        assert time.monotonic() - started < 0.3 + env.settle  # it gave up, as told

    # --- what citizens do to what they sent ------------------------------------------------

    def test_a_citizens_withdrawal_names_the_message_it_removes(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.send_text("anna", "Meine Nummer ist 0170 0000000")
        sent, cursor, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        (message,) = [e for e in sent if isinstance(e, InboundMessage)]
        env.citizen.withdraw("anna")
        later, _, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        withdrawals = [e for e in later if isinstance(e, InboundWithdrawal)]
        # A provider that cannot tell under which of a person's ids the message was stored
        # names each candidate; the store applies the one it has.
        assert {e.chat for e in withdrawals} == {chat}
        assert message.provider_id in {e.target for e in withdrawals}
        assert texts(later) == []  # no second message beside it

    def test_a_citizens_edit_carries_the_new_text_for_the_same_message(
        self, env: ProviderEnv
    ) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.send_text("anna", "Wann ist der Termin am Montg?")
        sent, cursor, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        (message,) = [e for e in sent if isinstance(e, InboundMessage)]
        env.citizen.edit("anna", "Wann ist der Termin am Montag?")
        later, _, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        edits = [e for e in later if isinstance(e, InboundEdit)]
        assert {(e.text, e.chat) for e in edits} == {("Wann ist der Termin am Montag?", chat)}
        assert message.provider_id in {e.target for e in edits}
        assert texts(later) == []  # the edit is no second message

    # --- sending --------------------------------------------------------------------------

    def test_send_text_reaches_the_citizens_phone(self, env: ProviderEnv) -> None:
        chat, _ = first_contact(env, "anna")
        sent = env.provider.send_text(chat, "Danke für Ihre Frage!", key="contract-text-1")
        assert sent.provider_id
        assert eventually(lambda: "Danke für Ihre Frage!" in env.citizen.phone("anna"), env.settle)
        assert "Danke für Ihre Frage!" not in env.citizen.phone("bernd")

    def test_a_retried_send_is_delivered_once_where_the_key_is_honoured(
        self, env: ProviderEnv
    ) -> None:
        chat, _ = first_contact(env, "anna")
        first = env.provider.send_text(chat, "Einmal bitte", key="contract-retry-1")
        second = env.provider.send_text(chat, "Einmal bitte", key="contract-retry-1")

        def shown() -> int:
            return env.citizen.phone("anna").count("Einmal bitte")

        assert eventually(lambda: shown() >= 1, env.settle)
        if env.provider.capabilities.idempotent_send:
            assert second.provider_id == first.provider_id
            time.sleep(0.3)  # a late duplicate would show up now
            assert shown() == 1
            # The key, not the text, decides: the same words under a new key are a new message.
            env.provider.send_text(chat, "Einmal bitte", key="contract-retry-2")
            assert eventually(lambda: shown() == 2, env.settle)
        else:
            assert 1 <= shown() <= 2  # declared: a retry may double the message

    @pytest.mark.parametrize(
        ("kind", "mime", "data"),
        [(MessageKind.IMAGE, "image/png", PNG), (MessageKind.VOICE, "audio/ogg", OGG)],
    )
    def test_send_media_reaches_the_phone_or_is_refused_as_declared(
        self, env: ProviderEnv, kind: MessageKind, mime: str, data: bytes
    ) -> None:
        chat, _ = first_contact(env, "anna")
        caption = "Der Plan" if kind is MessageKind.IMAGE else ""
        media = OutboundMedia(kind=kind, mime=mime, data=data)
        if kind not in env.provider.capabilities.send_media:
            with pytest.raises(ProviderError):
                env.provider.send_media(chat, media, caption, key=f"contract-{kind}")
            assert data not in env.citizen.phone_media("anna")
            return
        sent = env.provider.send_media(chat, media, caption, key=f"contract-{kind}")
        assert sent.provider_id
        assert eventually(lambda: data in env.citizen.phone_media("anna"), env.settle)
        if caption:
            assert caption in env.citizen.phone("anna")

    # --- media from citizens --------------------------------------------------------------

    def test_a_sent_document_carries_its_type_and_a_sensible_name(self, env: ProviderEnv) -> None:
        chat, _ = first_contact(env, "anna")
        pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
        document = OutboundMedia(MessageKind.FILE, "application/pdf", pdf, "Antrag Wohngeld.pdf")
        if MessageKind.FILE not in env.provider.capabilities.send_media:
            with pytest.raises(ProviderError):
                env.provider.send_media(chat, document, "", key="contract-doc-1")
            return
        env.provider.send_media(chat, document, "", key="contract-doc-1")
        unnamed = OutboundMedia(MessageKind.FILE, "application/pdf", pdf)
        env.provider.send_media(chat, unnamed, "", key="contract-doc-2")
        assert eventually(lambda: len(env.citizen.phone_files("anna")) == 2, env.settle)
        assert env.citizen.phone_files("anna") == [
            ("Antrag Wohngeld.pdf", "application/pdf"),
            ("datei.pdf", "application/pdf"),
        ]

    def test_download_media_returns_the_exact_bytes_within_the_limit(
        self, env: ProviderEnv
    ) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.send_image("anna", PNG, "Schlagloch Ecke Musterweg")
        env.citizen.send_voice("anna", OGG)
        events, _, _ = collect(env.provider, cursor, {chat}, 2, env.settle)
        image, voice = events
        assert isinstance(image, InboundMessage)
        assert isinstance(voice, InboundMessage)
        assert (image.kind, image.text) == (MessageKind.IMAGE, "Schlagloch Ecke Musterweg")
        assert voice.kind is MessageKind.VOICE
        assert image.media is not None
        assert voice.media is not None
        assert image.media.size in (None, len(PNG))
        if not env.provider.capabilities.download_media:
            with pytest.raises(ProviderError):
                env.provider.download_media(image.media, max_bytes=len(PNG))
            return
        assert env.provider.download_media(image.media, max_bytes=len(PNG)) == PNG
        assert env.provider.download_media(voice.media, max_bytes=10 * len(OGG)) == OGG
        with pytest.raises(ProviderError):
            env.provider.download_media(image.media, max_bytes=len(PNG) - 1)

    # --- calls ----------------------------------------------------------------------------

    def test_reject_call_declines_it_for_the_caller_as_declared(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.call("anna")
        events, _, _ = collect(env.provider, cursor, {chat}, 1, env.settle)
        [call] = events
        assert isinstance(call, InboundCall)
        assert call.chat == chat
        assert not env.citizen.call_declined("anna")
        if env.provider.capabilities.reject_calls:
            env.provider.reject_call(call)
            assert eventually(lambda: env.citizen.call_declined("anna"), env.settle)
        else:
            # Without the capability a provider may refuse or do nothing, never pretend.
            with contextlib.suppress(ProviderError):
                env.provider.reject_call(call)
            time.sleep(0.3)
            assert not env.citizen.call_declined("anna")

    # --- deletion -------------------------------------------------------------------------

    def test_delete_reaches_exactly_as_far_as_declared(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        env.citizen.send_text("anna", "Meine Adresse ist Musterweg 1")
        env.citizen.send_image("anna", PNG, "Foto")
        events, cursor, _ = collect(env.provider, cursor, {chat}, 2, env.settle)
        reply = env.provider.send_text(chat, "Wir kümmern uns.", key="contract-delete-1")
        assert eventually(lambda: "Wir kümmern uns." in env.citizen.phone("anna"), env.settle)
        ids = [e.provider_id for e in events] + [reply.provider_id]
        assert env.provider.remaining(chat, ids) == frozenset(ids)
        reach = env.provider.capabilities.delete_reach

        if reach is DeleteReach.NONE:
            try:
                outcome = env.provider.delete_messages(chat, ids)
                assert outcome.confirmed == 0
            except ProviderError:
                pass
            assert env.provider.remaining(chat, ids) == frozenset(ids)
            assert "Wir kümmern uns." in env.citizen.phone("anna")
            return

        outcome = env.provider.delete_messages(chat, ids)
        assert (outcome.requested, outcome.confirmed, outcome.failures) == (3, 3, ())
        assert env.provider.remaining(chat, ids) == frozenset()
        image = events[1]
        assert isinstance(image, InboundMessage)
        assert image.media is not None
        with pytest.raises(ProviderError):
            env.provider.download_media(image.media, max_bytes=len(PNG))
        if reach is DeleteReach.OPERATOR_SIDE and not env.provider.capabilities.revoke_own:
            # The receipt says the citizen keeps their copy: it must be true.
            time.sleep(0.3)
            assert "Wir kümmern uns." in env.citizen.phone("anna")
        else:
            # Deleted on both sides, or the office's own reply revoked: gone from the phone.
            assert eventually(
                lambda: "Wir kümmern uns." not in env.citizen.phone("anna"), env.settle
            )
        # A purge is re-run until it completes: deleting again is harmless.
        again = env.provider.delete_messages(chat, ids)
        assert again.requested == 3
        assert env.provider.remaining(chat, ids) == frozenset()
        later = env.provider.receive(cursor, wait=0.2)
        assert [e for e in later.events if e.chat == chat] == []

    def test_delete_chat_removes_the_conversation_as_declared(self, env: ProviderEnv) -> None:
        chat, cursor = first_contact(env, "anna")
        bernd = env.citizen.chat_id("bernd")
        env.citizen.send_text("anna", "Noch eine Frage")
        env.citizen.send_text("bernd", "Ich auch")
        events, cursor, _ = collect(env.provider, cursor, {chat, bernd}, 2, env.settle)
        reply = env.provider.send_text(chat, "Gern.", key="contract-chat-1")
        ids = [e.provider_id for e in events if e.chat == chat] + [reply.provider_id]
        others = [e.provider_id for e in events if e.chat == bernd]
        if not env.provider.capabilities.delete_chat:
            try:
                outcome = env.provider.delete_chat(chat)
                assert outcome.confirmed == 0
            except ProviderError:
                pass
            assert env.provider.remaining(chat, ids) == frozenset(ids)
            return
        outcome = env.provider.delete_chat(chat)
        assert outcome.failures == ()
        assert outcome.confirmed == outcome.requested
        assert env.provider.remaining(chat, ids) == frozenset()
        assert env.provider.remaining(bernd, others) == frozenset(others)  # only this chat
        later = env.provider.receive(cursor, wait=0.2)
        assert [e for e in later.events if e.chat == chat] == []

    # --- announcements and set-up ---------------------------------------------------------

    def test_announce_posts_a_public_notice_or_is_refused_as_declared(
        self, env: ProviderEnv
    ) -> None:
        notice = "Sprechstunde am Mittwoch, 16 bis 17 Uhr"
        if not env.provider.capabilities.announce:
            with pytest.raises(ProviderError):
                env.provider.announce(notice, key="contract-announce-1")
            assert notice not in env.citizen.notices()
            return
        first = env.provider.announce(notice, key="contract-announce-1")
        assert first.provider_id
        assert eventually(lambda: notice in env.citizen.notices(), env.settle)
        again = env.provider.announce(notice, key="contract-announce-1")
        if env.provider.capabilities.idempotent_send:
            assert again.provider_id == first.provider_id
            time.sleep(0.3)
            assert env.citizen.notices().count(notice) == 1
        assert notice not in env.citizen.phone("anna")  # public, not a message to each citizen

    def test_check_passes_on_a_working_setup(self, env: ProviderEnv) -> None:
        warnings = env.provider.check()
        assert isinstance(warnings, tuple)
        assert all(isinstance(w, str) and w for w in warnings)
