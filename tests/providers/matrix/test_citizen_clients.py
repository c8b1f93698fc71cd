"""What a citizen's own Matrix app does, played by matrix-nio against the real Synapse: a
document, a location, a redaction of a message seen only afterwards, and leaving the room."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.providers.base.events import InboundLeft, InboundMessage, InboundWithdrawal
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from tests.support.contract import collect
from tests.support.matrix_citizens import MatrixCitizens
from tests.support.synapse import Account, Synapse
from tests.support.synapse_fixtures import MakeProvider

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def citizens(synapse_server: Synapse, office: Account) -> Iterator[MatrixCitizens]:
    found = MatrixCitizens(synapse_server, office.user_id)
    yield found
    found.close()


def first(
    provider: MatrixProvider, citizens: MatrixCitizens, handle: str
) -> tuple[str, str | None]:
    chat = citizens.chat_id(handle)
    citizens.send_text(handle, "Guten Tag")
    events, cursor, _ = collect(provider, None, {chat}, 1, 10.0)
    assert [e.text for e in events if isinstance(e, InboundMessage)] == ["Guten Tag"]
    return chat, cursor


def test_a_document_arrives_with_its_type_name_and_bytes(
    office: Account, make_provider: MakeProvider, citizens: MatrixCitizens
) -> None:
    provider = make_provider(office)
    chat, cursor = first(provider, citizens, "anna")
    nio_citizen, room = citizens.nio("anna")
    nio_citizen.send_file(room, PDF, "application/pdf", "Antrag Wohngeld.pdf")
    events, _, _ = collect(provider, cursor, {chat}, 1, 10.0)
    (message,) = [e for e in events if isinstance(e, InboundMessage)]
    assert message.kind is MessageKind.FILE and message.media is not None
    assert message.media.mime == "application/pdf"
    assert message.media.filename == "Antrag Wohngeld.pdf"
    assert message.text == ""  # the name is no caption
    assert provider.download_media(message.media, 1_000_000) == PDF


def test_a_location_shows_its_coordinates_and_a_map_link(
    office: Account, make_provider: MakeProvider, citizens: MatrixCitizens
) -> None:
    provider = make_provider(office)
    chat, cursor = first(provider, citizens, "anna")
    nio_citizen, room = citizens.nio("anna")
    nio_citizen.send_location(room, 52.52, 13.405, "Schlagloch hier")
    events, _, _ = collect(provider, cursor, {chat}, 1, 10.0)
    (message,) = [e for e in events if isinstance(e, InboundMessage)]
    assert message.text.startswith("[Standort] 52.520000, 13.405000 ")
    assert "https://www.openstreetmap.org/?mlat=52.520000&mlon=13.405000" in message.text
    assert message.text.endswith("\nSchlagloch hier")


def test_a_message_redacted_before_the_office_synced_keeps_nothing(
    office: Account, make_provider: MakeProvider, citizens: MatrixCitizens
) -> None:
    provider = make_provider(office)
    chat, cursor = first(provider, citizens, "anna")
    nio_citizen, room = citizens.nio("anna")
    event_id = nio_citizen.send(room, {"msgtype": "m.text", "body": "0170 0000000 – doch nicht"})
    nio_citizen.redact(room, event_id)
    nio_citizen.send(room, {"msgtype": "m.text", "body": "Weiter im Text"})
    events, _, _ = collect(provider, cursor, {chat}, 3, 10.0)
    texts = [e.text for e in events if isinstance(e, InboundMessage)]
    assert texts == ["Weiter im Text"]
    assert [e.target for e in events if isinstance(e, InboundWithdrawal)] == [event_id]


def test_a_citizen_who_leaves_the_room_is_an_event(
    office: Account, make_provider: MakeProvider, citizens: MatrixCitizens
) -> None:
    provider = make_provider(office)
    chat, cursor = first(provider, citizens, "anna")
    nio_citizen, room = citizens.nio("anna")
    nio_citizen.leave(room)
    events, _, _ = collect(provider, cursor, {chat}, 1, 10.0)
    assert [type(e) for e in events] == [InboundLeft]
    assert events[0].chat == chat
