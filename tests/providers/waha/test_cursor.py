"""The receive cursor knows a message by its own key, whichever id of the person WAHA lists it
under (@c.us, @lid), and still loads what earlier releases stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base.events import InboundMessage, InboundWithdrawal
from sprechstunde_cli.providers.waha.cursor import Cursor
from sprechstunde_cli.services import hour
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.fakes.waha_lids import WAYS, refile_under_lid
from tests.support.service_rig import make_config
from tests.support.waha_rig import ENGINES, waha_rig


def texts(events: tuple[object, ...]) -> list[str]:
    return [e.text for e in events if isinstance(e, InboundMessage)]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("engine", ENGINES)
def test_a_message_listed_again_under_the_lid_is_taken_in_once(engine: str, way: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna")
        rig.fake.citizen_send("anna", "Guten Tag")
        first = provider.receive(None, wait=0)
        assert texts(first.events) == ["Guten Tag"]
        [again] = refile_under_lid(rig.fake, "anna", way)
        assert again.id == f"false_{anna.lid}_{again.wa_id}"  # listed under another id now
        rig.fake.citizen_send("anna", "Noch eine Frage")
        later = provider.receive(first.cursor, wait=0)
        assert texts(later.events) == ["Noch eine Frage"]
        assert {e.chat for e in later.events} == {anna.pn}  # still the one thread


@pytest.mark.parametrize("engine", ["WEBJS", "WPP"])  # they list a revoked message as such
def test_a_revoke_listed_under_the_lid_names_the_id_taken_in(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider(websocket=False)  # only the listing tells
        rig.fake.citizen_send("anna", "0170 0000000")
        first = provider.receive(None, wait=0)
        [message] = [e for e in first.events if isinstance(e, InboundMessage)]
        [again] = refile_under_lid(rig.fake, "anna", "moved")
        again.revoked = True
        later = provider.receive(first.cursor, wait=0)
        targets = [e.target for e in later.events if isinstance(e, InboundWithdrawal)]
        assert message.provider_id in targets and again.id in targets
        assert texts(later.events) == []


# The cursor as the release before message keys stored it: full WAHA ids in `seen`.
OLD_CHAT = "490000000001@c.us"
OLD_ID = f"false_{OLD_CHAT}_3EB0A1B2C3D4E5F60718"
OLD_CURSOR = json.dumps(
    {
        "v": 1,
        "hw": {OLD_CHAT: 1700000000},
        "seen": {OLD_CHAT: {OLD_ID: 1700000000}},
        "alias": {OLD_CHAT: OLD_CHAT, "1000000000001@lid": OLD_CHAT},
        "top": 1700000000,
    }
)


def test_a_cursor_stored_before_keys_still_loads() -> None:
    state = Cursor.load(OLD_CURSOR)
    assert state.seen == {OLD_CHAT: {"3EB0A1B2C3D4E5F60718": 1700000000}}
    assert (state.hw, state.top, state.pushed) == ({OLD_CHAT: 1700000000}, 1700000000, 0)
    assert state.alias["1000000000001@lid"] == OLD_CHAT
    assert Cursor.load(state.dump()) == state  # and what it stores now loads the same


def test_two_old_ids_of_one_message_become_one_key() -> None:
    lid_id = "false_1000000000001@lid_3EB0A1B2C3D4E5F60718"
    data = json.loads(OLD_CURSOR)
    data["seen"][OLD_CHAT][lid_id] = 1700000001
    state = Cursor.load(json.dumps(data))
    assert state.seen == {OLD_CHAT: {"3EB0A1B2C3D4E5F60718": 1700000001}}


@pytest.mark.parametrize("text", ['{"v": 2}', '{"v": 1, "seen": []}', "[]", "kein JSON"])
def test_a_foreign_cursor_is_refused(text: str) -> None:
    with pytest.raises(ProviderError, match="does not belong"):
        Cursor.load(text)


@pytest.mark.parametrize("engine", ["WEBJS", "GOWS"])
def test_an_old_cursor_does_not_bring_a_message_back_under_the_lid(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna")
        sent = rig.fake.citizen_send("anna", "Guten Tag")
        first = provider.receive(None, wait=0)
        assert texts(first.events) == ["Guten Tag"]
        # What the earlier release stored after taking it in: its full id under @c.us.
        state = json.loads(first.cursor)
        [(key, _)] = state["seen"].items()
        state["seen"][key] = {sent.id: sent.ts}
        refile_under_lid(rig.fake, "anna", "moved")
        restarted = rig.provider()
        later = restarted.receive(json.dumps(state), wait=0)
        assert texts(later.events) == []
        assert {e.chat for e in later.events} <= {anna.pn}


@pytest.mark.parametrize("engine", ["WEBJS", "GOWS"])  # one chat at a time; all chats at once
def test_the_hour_stores_a_message_refiled_under_the_lid_once(engine: str, tmp_path: Path) -> None:
    config = make_config(early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    store = Store.open(tmp_path / "sprechstunde.db")
    with waha_rig(engine) as rig:
        try:
            hour.open_session(store, config.session("mittwoch"), clock.now(), actor="test")
            the_hour = hour.Hour(store, rig.provider(), config, "mittwoch", tmp_path / "media")
            rig.fake.citizen_send("anna", "Wann wird die Ampel repariert?")
            assert the_hour.step(clock.now(), wait=0).intake.stored == 1
            refile_under_lid(rig.fake, "anna", "copied")
            rig.fake.citizen_send("anna", "Danke!")
            report = the_hour.step(clock.now(), wait=0)
            assert (report.problems, report.intake.stored) == ([], 1)
            inbound = [m for m in store.messages("mittwoch") if m.direction is Direction.IN]
            assert len(inbound) == 2
        finally:
            store.close()
