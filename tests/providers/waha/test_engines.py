"""What each WAHA engine really does (tests/support/fakes/waha.py QUIRKS, read in WAHA's engine
sources), and that the provider loses nothing, doubles nothing, and claims no deletion that did
not happen."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.providers.base.events import InboundMessage
from sprechstunde_cli.providers.waha.send import message_id_for
from sprechstunde_cli.render.closing import purged_lines
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.purge.closing import Waiting
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.service_rig import make_config
from tests.support.waha_rig import ENGINES, waha_rig


@pytest.mark.parametrize("engine", ENGINES)
def test_a_listing_that_ignores_filters_offset_and_order_loses_and_doubles_nothing(
    engine: str,
) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Hallo")
        first = provider.receive(None, wait=0)
        chat = first.events[0].chat
        for i in range(260):  # more than two pages at once
            rig.fake.citizen_send("anna" if i % 2 else "bernd", f"m{i}")
            if i % 40 == 0:
                provider.send_text(chat, f"Antwort {i}", key=f"r{i}")
        second = provider.receive(first.cursor, wait=0)
        texts = [e.text for e in second.events if isinstance(e, InboundMessage)]
        assert sorted(texts) == sorted(f"m{i}" for i in range(260))  # each once
        assert [t for t in texts if t in {"m1", "m3", "m5"}] == ["m1", "m3", "m5"]  # in order
        assert provider.receive(second.cursor, wait=0).events == ()  # nothing again


@pytest.mark.parametrize("engine", ENGINES)
def test_a_send_answered_without_an_id_records_none_and_guesses_none(engine: str) -> None:
    with waha_rig(engine, send_answer="empty") as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Frage")
        chat = provider.receive(None, wait=0).events[0].chat
        sent = provider.send_text(chat, "Antwort", key="k1")
        assert rig.fake.phone_texts("anna") == ["Antwort"]  # it went out
        assert sent.provider_id == ""  # but no id is claimed
        guessed = f"true_{chat}_{message_id_for('k1')}"
        assert guessed not in rig.fake.office_ids()  # the old guess named nothing real


@pytest.mark.parametrize("engine", ENGINES)
def test_a_revoked_reply_counts_as_deleted_only_when_it_really_was(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        rig.fake.citizen_send("anna", "Frage")
        chat = provider.receive(None, wait=0).events[0].chat
        one = provider.send_text(chat, "Antwort eins", key="k1").provider_id
        two = provider.send_text(chat, "Antwort zwei", key="k2").provider_id
        # The engine answers the second revoke with success but does nothing.
        rig.fake.fail(200, path=f"/messages/{two.replace('@', '%40')}", body={})
        outcome = provider.delete_messages(chat, [one, two])
        assert (outcome.requested, outcome.confirmed) == (2, 1)
        assert provider.remaining(chat, [one, two]) == frozenset({two})
        listed = rig.fake.office[one].revoked if one in rig.fake.office_ids() else None
        # WEBJS and NOWEB still list the first as a stub under its id; it is revoked all the
        # same, and gone from the citizen's phone.
        assert listed is (True if "revoked.listed" in rig.fake.quirks else None)
        assert rig.fake.phone_texts("anna") == ["Antwort zwei"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("status", [422, 501])
def test_lids_refused_does_not_stop_receiving(engine: str, status: int) -> None:
    with waha_rig(engine, lids_status=status) as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna", writes_as="lid")
        rig.fake.citizen_send("anna", "als lid")
        batch = provider.receive(None, wait=0)
        assert [e.text for e in batch.events if isinstance(e, InboundMessage)] == ["als lid"]
        assert batch.events[0].chat == anna.lid  # without the lookup: the id it wrote under


def test_the_receipt_names_sends_without_an_id_as_not_verified(tmp_path: Path) -> None:
    """Greetings and closing words the engine took without naming an id: the purge cannot
    revoke or check them, and the receipt says so instead of counting them deleted."""
    config = make_config(closing_grace_minutes=0, early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    data = tmp_path / "data"
    places = Places(data, data / "sessions" / "mittwoch", data / "log", tmp_path)
    store = Store.open(data / "sprechstunde.db")
    with waha_rig("GOWS", send_answer="empty") as rig:
        provider = rig.provider()
        try:
            hour.open_session(store, config.session("mittwoch"), clock.now(), actor="t")
            running = hour.Hour(store, provider, config, "mittwoch", places.session_dir / "media")
            rig.fake.citizen_send("anna", "Frage")
            running.step(clock.now(), 0)
            closing.close(store, provider, config, "mittwoch", clock, actor="t")
            receipt = purge(store, provider, config, "mittwoch", clock, places=places, mailer=None)
        finally:
            store.close()
    assert receipt.counts["sent_without_id"] == 2  # the greeting and the closing words
    [result] = receipt.providers
    assert (result.requested, result.confirmed) == (1, 1)  # only the citizen's message
    assert any("could not be verified" in line for line in purged_lines(receipt))
    assert rig.fake.phone_texts("anna")  # still on the phone: nothing claimed otherwise


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("phone_online", [True, False])
def test_the_purge_waits_for_the_ticks_of_the_closing_words(
    engine: str, phone_online: bool, tmp_path: Path
) -> None:
    """Delivered to the phone (ack DEVICE): the purge revokes at once. A phone that is off
    (ack SERVER, one tick): the purge waits out the grace before it revokes the words."""
    config = make_config(closing_grace_minutes=10, early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    data = tmp_path / "data"
    places = Places(data, data / "sessions" / "mittwoch", data / "log", tmp_path)
    store = Store.open(data / "sprechstunde.db")
    waits: list[Waiting] = []
    with waha_rig(engine) as rig:
        provider = rig.provider()
        try:
            hour.open_session(store, config.session("mittwoch"), clock.now(), actor="t")
            running = hour.Hour(store, provider, config, "mittwoch", places.session_dir / "media")
            rig.fake.citizen_send("anna", "Frage")
            running.step(clock.now(), 0)
            closing.close(store, provider, config, "mittwoch", clock, actor="t")
            if not phone_online:
                for msg in rig.fake.office.values():
                    msg.ack = 1 if msg.from_me else msg.ack
            start = clock.now()
            receipt = purge(
                store,
                provider,
                config,
                "mittwoch",
                clock,
                places=places,
                mailer=None,
                waiting=waits.append,
            )
        finally:
            store.close()
    waited = (clock.now() - start).total_seconds()
    if phone_online:
        assert (waits, receipt.counts["closing_words_confirmed"]) == ([], 1)
        assert waited < 60
    else:
        assert waits and waits[0].receipts and receipt.counts["closing_words_confirmed"] == 0
        assert waited >= 600
    assert receipt.counts["closing_grace_seconds"] == 600
    assert rig.fake.phone_texts("anna") == []  # revoked in the end either way
