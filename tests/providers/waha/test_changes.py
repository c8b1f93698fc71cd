"""A citizen's revoke and edit on WAHA, per engine: pushed on /ws, listed as each engine lists."""

from __future__ import annotations

import pytest

from sprechstunde_cli.providers.base.events import InboundEdit, InboundMessage, InboundWithdrawal
from sprechstunde_cli.providers.waha.chats import message_key
from tests.support.contract import collect
from tests.support.fakes import waha_changes
from tests.support.fakes.waha import Msg
from tests.support.waha_rig import ENGINES, waha_rig


@pytest.mark.parametrize("engine", ENGINES)
def test_a_message_revoked_before_the_office_polled_is_never_taken_in(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        chat = rig.fake.citizen("anna").pn
        rig.fake.citizen_send("anna", "Guten Tag")
        _, cursor, _ = collect(provider, None, {chat}, 1, 3.0)
        rig.fake.citizen_send("anna", "0170 0000000 – doch nicht")
        gone = waha_changes.revoke(rig.fake, "anna")
        rig.fake.citizen_send("anna", "Weiter im Text")
        later, _, _ = collect(provider, cursor, {chat}, 3, 3.0)
        texts = [e.text for e in later if isinstance(e, InboundMessage)]
        assert texts == ["Weiter im Text"]
        assert gone.id in {e.target for e in later if isinstance(e, InboundWithdrawal)}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_office_s_own_revoke_is_no_citizen_withdrawal(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider()
        chat = rig.fake.citizen("anna").pn
        rig.fake.citizen_send("anna", "Guten Tag")
        _, cursor, _ = collect(provider, None, {chat}, 1, 3.0)
        ours = Msg(wa_id="ABC", chat=chat, from_me=True, ts=int(rig.fake.time.now()))
        after = rig.fake.wamessage(ours, download=False)
        rig.fake.emit("message.revoked", {"revokedMessageId": "ABC", "after": after})
        rig.fake.citizen_send("anna", "Noch da?")
        later, _, _ = collect(provider, cursor, {chat}, 1, 3.0)
        assert [type(e) for e in later] == [InboundMessage]


def test_an_edit_of_a_citizen_known_under_two_ids_names_both() -> None:
    with waha_rig("GOWS") as rig:
        provider = rig.provider()
        anna = rig.fake.citizen("anna", writes_as="lid")
        rig.fake.citizen_send("anna", "Montg")
        first, cursor, _ = collect(provider, None, {anna.pn}, 1, 3.0)
        (message,) = [e for e in first if isinstance(e, InboundMessage)]
        waha_changes.edit(rig.fake, "anna", "Montag")
        later, _, _ = collect(provider, cursor, {anna.pn}, 1, 3.0)
        edits = [e for e in later if isinstance(e, InboundEdit)]
        assert message.provider_id in {e.target for e in edits}
        assert {e.chat for e in edits} == {anna.pn} and {e.text for e in edits} == {"Montag"}


@pytest.mark.parametrize(
    ("extra", "shown", "counted"),
    [
        (
            {"location": {"latitude": "52.52", "longitude": "13.405", "live": False}},
            "[Standort] 52.520000, 13.405000 https://www.openstreetmap.org/?mlat=52.520000",
            False,
        ),
        ({"vCards": ["BEGIN:VCARD\nFN:Erika Beispiel\nEND:VCARD"]}, "[Kontakt – ", True),
        ({"_data": {"type": "sticker"}}, "[Sticker – hier nicht darstellbar]", True),
        ({"_data": {"type": "poll_creation"}}, "[Umfrage – hier nicht darstellbar] Wann?", True),
    ],
)
def test_a_location_contact_sticker_or_poll_is_a_labelled_line(
    extra: dict[str, object], shown: str, counted: bool
) -> None:
    with waha_rig("WEBJS") as rig:
        provider = rig.provider()
        chat = rig.fake.citizen("anna").pn
        msg = rig.fake.citizen_send("anna", "Wann?" if "_data" in extra else "")
        msg.extra = extra
        events, _, _ = collect(provider, None, {chat}, 1, 3.0)
        (message,) = [e for e in events if isinstance(e, InboundMessage)]
        assert message.text.startswith(shown)
        assert message.unshowable is counted
        assert "Erika" not in message.text  # a shared contact is a third person's data


def test_a_pushed_revoke_comes_again_when_its_batch_was_not_stored() -> None:
    with waha_rig("WEBJS") as rig:
        provider = rig.provider()
        chat = rig.fake.citizen("anna").pn
        rig.fake.citizen_send("anna", "0170 0000000")
        _, cursor, _ = collect(provider, None, {chat}, 1, 3.0)
        gone = waha_changes.revoke(rig.fake, "anna")
        first, lost_cursor, _ = collect(provider, cursor, {chat}, 1, 3.0)
        assert gone.id in {e.target for e in first if isinstance(e, InboundWithdrawal)}
        assert lost_cursor != cursor
        # The caller's transaction failed (a full disk): it asks again from the old cursor.
        again = provider.receive(cursor, wait=0.0)
        assert gone.id in {e.target for e in again.events if isinstance(e, InboundWithdrawal)}
        # Stored this time: the next receive starts from the new cursor, nothing comes twice.
        later = provider.receive(again.cursor, wait=0.0)
        assert [e for e in later.events if isinstance(e, InboundWithdrawal)] == []


@pytest.mark.parametrize("engine", ["WEBJS", "WPP"])
def test_a_revoke_missed_on_the_socket_is_found_in_the_listing(engine: str) -> None:
    with waha_rig(engine) as rig:
        provider = rig.provider(websocket=False)  # no events at all: only the listing tells
        chat = rig.fake.citizen("anna").pn
        rig.fake.citizen_send("anna", "0170 0000000")
        first, cursor, _ = collect(provider, None, {chat}, 1, 3.0)
        (message,) = [e for e in first if isinstance(e, InboundMessage)]
        waha_changes.revoke(rig.fake, "anna")
        later, cursor, _ = collect(provider, cursor, {chat}, 1, 3.0)
        # Named under each id of the person, as a pushed revoke is: the store has one of them.
        anna = rig.fake.citizen("anna")
        key = message_key(message.provider_id)
        assert [(e.target, e.chat) for e in later if isinstance(e, InboundWithdrawal)] == [
            (f"false_{anna.lid}_{key}", chat),
            (f"false_{anna.pn}_{key}", chat),
        ]
        assert message.provider_id == f"false_{anna.pn}_{key}"
        assert [e for e in provider.receive(cursor, wait=0.0).events] == []  # once
