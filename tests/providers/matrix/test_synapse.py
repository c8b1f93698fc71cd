"""The Matrix provider against a real Synapse: the provider contract, then what only Matrix has."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.config import parse_config
from sprechstunde_cli.domain.model import MessageKind, Purpose
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.base.events import InboundCall, InboundMessage
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.services.delivery import deliver_due
from sprechstunde_cli.store import Store, outbox
from sprechstunde_cli.store.outbox import enqueue
from tests.support.cli import EXAMPLE_CONFIG
from tests.support.clocks import IN_THE_HOUR
from tests.support.contract import OGG, PNG, ProviderContract, ProviderEnv, collect
from tests.support.matrix_citizens import MatrixCitizens
from tests.support.synapse import Account, Synapse, q, unique
from tests.support.synapse_fixtures import MakeProvider


class TestMatrixContract(ProviderContract):
    @pytest.fixture
    def env(
        self, synapse_server: Synapse, office: Account, make_provider: MakeProvider
    ) -> Iterator[ProviderEnv]:
        staff = synapse_server.client(office)
        room_id, alias = staff.create_broadcast_room()
        staff.close()
        citizens = MatrixCitizens(synapse_server, office.user_id, broadcast=room_id)

        def restart() -> Provider:
            return make_provider(office, broadcast_room=alias)

        yield ProviderEnv(restart(), citizens, restart, settle=5.0)
        citizens.close()


class TestMatrixAdminContract:
    """The deletion part of the contract again, for an office that is its server's admin."""

    @pytest.fixture
    def env(self, synapse_server: Synapse, make_provider: MakeProvider) -> Iterator[ProviderEnv]:
        admin = synapse_server.register(unique("office"), admin=True, name="Bürgerbüro")
        citizens = MatrixCitizens(synapse_server, admin.user_id)

        def restart() -> Provider:
            return make_provider(admin, server_admin=True)

        yield ProviderEnv(restart(), citizens, restart, settle=5.0)
        citizens.close()

    test_delete_reaches_exactly_as_far_as_declared = (
        ProviderContract.test_delete_reaches_exactly_as_far_as_declared
    )
    test_delete_chat_removes_the_conversation_as_declared = (
        ProviderContract.test_delete_chat_removes_the_conversation_as_declared
    )
    test_check_passes_on_a_working_setup = ProviderContract.test_check_passes_on_a_working_setup


# --- what only Matrix has ----------------------------------------------------------------------


def receive_all(
    provider: MatrixProvider, cursor: str | None, chats: set[str], count: int
) -> tuple[list[InboundMessage], str | None]:
    events, cursor, _ = collect(provider, cursor, chats, count, within=10.0)
    return [e for e in events if isinstance(e, InboundMessage)], cursor


def test_an_invite_is_joined_and_the_room_becomes_the_citizens_thread(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("anna")  # the citizen opens a direct chat and invites the office
    citizens.send_text("anna", "Guten Tag")
    provider = make_provider(office)
    staff = synapse_server.client(office)
    assert chat not in staff.call("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"]
    got, _ = receive_all(provider, None, {chat}, 1)
    assert [(m.chat, m.text, m.sender_name) for m in got] == [(chat, "Guten Tag", "Anna")]
    assert chat in staff.call("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"]
    staff.close()
    citizens.close()


def test_an_invite_missed_before_a_crash_is_joined_after_the_restart(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    first = make_provider(office)
    cursor = first.receive(None, wait=0.0).cursor
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("bernd")
    citizens.send_text("bernd", "Hallo?")
    # The invite passed by in a sync whose cursor was committed, but the process died before
    # it joined: the stream will not show that invite again.
    staff = synapse_server.client(office)
    passed = staff.call("GET", "/_matrix/client/v3/sync", params={"since": cursor, "timeout": 0})
    assert chat in passed["rooms"]["invite"]
    staff.close()
    restarted = make_provider(office)
    got, _ = receive_all(restarted, passed["next_batch"], {chat}, 1)
    assert [m.text for m in got] == ["Hallo?"]
    citizens.close()


def test_a_limited_timeline_is_back_filled_in_order_exactly_once(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("anna")
    # Before the office joins: more history than one timeline holds (limit 3).
    for i in range(7):
        citizens.send_text("anna", f"vorher {i}")
    provider = make_provider(office, timeline_limit=3)
    got, cursor = receive_all(provider, None, {chat}, 7)
    assert [m.text for m in got] == [f"vorher {i}" for i in range(7)]
    # A gap in a room we already read: only what came after the cursor.
    for i in range(9):
        citizens.send_text("anna", f"nachher {i}")
    got, cursor = receive_all(provider, cursor, {chat}, 9)
    assert [m.text for m in got] == [f"nachher {i}" for i in range(9)]
    assert len({m.provider_id for m in got}) == 9
    assert provider.receive(cursor, wait=0.2).events == ()
    citizens.close()


def test_voice_notes_carry_their_duration_and_calls_their_kind(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("anna")
    citizens.send_voice("anna", OGG)
    citizens.call("anna")
    provider = make_provider(office)
    events, _, _ = collect(provider, None, {chat}, 2, within=10.0)
    voice, call = events
    assert isinstance(voice, InboundMessage)
    assert voice.kind is MessageKind.VOICE
    assert voice.media is not None
    assert (voice.media.mime, voice.media.duration, voice.media.size) == (
        "audio/ogg",
        1.5,
        len(OGG),
    )
    assert isinstance(call, InboundCall)
    assert not call.video
    citizens.close()


def test_a_retried_send_after_a_restart_is_still_sent_once(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("anna")
    citizens.send_text("anna", "Frage")
    provider = make_provider(office)
    receive_all(provider, None, {chat}, 1)
    picture = OutboundMedia(MessageKind.IMAGE, "image/png", PNG)
    first = provider.send_media(chat, picture, "Plan", key="mittwoch:reply:1")
    provider.close()
    # The process died before it recorded the send; the restarted one sends the row again.
    again = make_provider(office).send_media(chat, picture, "Plan", key="mittwoch:reply:1")
    assert again.provider_id == first.provider_id
    time.sleep(0.3)
    assert citizens.phone("anna") == ["Plan"]
    assert citizens.phone_media("anna") == [PNG]
    citizens.close()


def test_the_server_rate_limit_is_honoured_and_nothing_doubles(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider, tmp_path: Path
) -> None:
    """One office account with a low limit (1 message/s, burst 1), through the real outbox."""
    boss = synapse_server.client(synapse_server.register(unique("admin"), admin=True))
    limit = {"messages_per_second": 1, "burst_count": 1}
    path = f"/v1/users/{q(office.user_id)}/override_ratelimit"
    assert boss.admin("POST", path, json=limit).status_code == 200
    boss.close()
    citizens = MatrixCitizens(synapse_server, office.user_id)
    chat = citizens.chat_id("anna")
    citizens.send_text("anna", "Frage")
    provider = make_provider(office)
    receive_all(provider, None, {chat}, 1)
    store = Store.open(tmp_path / "store.db")
    config = parse_config(tomllib.loads(EXAMPLE_CONFIG))
    session = store.ensure_session(config.session("mittwoch"))
    now = IN_THE_HOUR
    bodies = [f"Antwort {i}" for i in range(3)]
    with store.write() as conn:
        for i, body in enumerate(bodies):
            enqueue(
                store,
                conn,
                session.id,
                thread=None,
                chat=chat,
                purpose=Purpose.REPLY,
                body=body,
                key=f"rate:{i}",
                now=now,
            )
    limited: list[float] = []
    for _ in range(12):
        report = deliver_due(store, provider, session.id, now, rng=lambda: 0.0)
        pending = store.conn.execute(
            "SELECT next_at, error FROM outbox WHERE state = 'pending' ORDER BY id"
        ).fetchall()
        if not pending:
            break
        assert report.retrying == len(pending)
        # Every held-back row waits at least as long as the server asked.
        waits = [(datetime.fromisoformat(r["next_at"]) - now).total_seconds() for r in pending]
        assert min(waits) > 0
        limited.append(max(waits))
        time.sleep(max(waits))  # the real server's clock must pass too
        now += timedelta(seconds=max(waits))
    assert limited, "the low limit was never met: the test proves nothing"
    assert all(0 < w <= 2.0 for w in limited)
    assert outbox.counts(store, session.id) == {outbox.SENT: 3}
    assert citizens.phone("anna") == bodies
    store.close()
    citizens.close()


def test_the_admin_purge_deletes_the_room_and_its_files_from_the_server(
    synapse_server: Synapse, make_provider: MakeProvider
) -> None:
    admin = synapse_server.register(unique("office"), admin=True)
    citizens = MatrixCitizens(synapse_server, admin.user_id)
    chat = citizens.chat_id("anna")
    citizens.send_image("anna", PNG, "Schlagloch")
    provider = make_provider(admin, server_admin=True)
    [photo], _ = receive_all(provider, None, {chat}, 1)
    assert photo.media is not None
    url = photo.media.ref.split(" ")[2]
    anna = citizens.clients["anna"]
    assert anna.download(url) == PNG
    outcome = provider.delete_chat(chat)
    assert (outcome.requested, outcome.confirmed) == (1, 1)
    staff = synapse_server.client(admin)
    assert staff.admin("GET", f"/v1/rooms/{q(chat)}").status_code == 404
    assert anna.download(url) is None  # the file is gone from the media store too
    assert provider.delete_chat(chat).confirmed == 1  # a re-run purge finds nothing to do
    staff.close()
    citizens.close()


def test_check_refuses_a_token_of_another_account_and_a_false_admin_claim(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    other = synapse_server.register(unique("office"))
    wrong = make_provider(other)
    wrong.settings = MatrixSettings(wrong.settings.homeserver, office.user_id)
    with pytest.raises(ProviderError, match="another account"):
        wrong.check()
    with pytest.raises(ProviderError, match="another account"):
        wrong.receive(None, wait=0.0)
    with pytest.raises(ProviderError, match="not a server admin"):
        make_provider(office, server_admin=True).check()
    warnings = make_provider(office).check()
    assert any("redaction_retention_period" in w for w in warnings)


def test_check_warns_when_everyone_may_post_in_the_broadcast_room(
    synapse_server: Synapse, office: Account, make_provider: MakeProvider
) -> None:
    staff = synapse_server.client(office)
    room_id = staff.call("POST", "/_matrix/client/v3/createRoom", json={"preset": "public_chat"})[
        "room_id"
    ]
    staff.close()
    warnings = make_provider(office, broadcast_room=room_id).check()
    assert any("Everyone may post" in w for w in warnings)
