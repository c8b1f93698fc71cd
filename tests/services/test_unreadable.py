"""A message the office could not decrypt stays unreadable: the citizen is asked, once, to send
it again (texts.unreadable), in the hour only; on the real local messenger's phone."""

from __future__ import annotations

from sprechstunde_cli.domain.texts import DEFAULT_TEXTS
from sprechstunde_cli.providers.base.events import InboundUnreadable, ReceiveBatch
from sprechstunde_cli.services import intake
from tests.support.service_rig import Rig

ANNA = "anna"


def unreadable(rig: Rig, *targets: str) -> None:
    events = tuple(InboundUnreadable(t, ANNA, rig.clock.now()) for t in targets)
    cursor = rig.store.cursor("mittwoch")
    batch = ReceiveBatch(events, cursor)
    intake.take(
        rig.store, rig.provider, rig.config, rig.session, batch, rig.clock.now(), rig.media_dir
    )


def test_the_citizen_is_asked_once_to_send_it_again(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send(ANNA, "Guten Tag")
    rig.step()
    unreadable(rig, "$eins", "$zwei")
    rig.step()
    unreadable(rig, "$drei")  # another lost key later in the hour: still only one ask
    rig.step()
    texts = [e.text for e in rig.messenger.phone(ANNA) if e.incoming]
    assert texts.count(DEFAULT_TEXTS.unreadable) == 1
    assert texts[0].startswith("Guten Tag und willkommen")
    assert "noch einmal" in DEFAULT_TEXTS.unreadable


def test_a_configured_text_is_sent_instead(rig: Rig) -> None:
    import dataclasses

    rig.config = dataclasses.replace(
        rig.config, texts=dataclasses.replace(rig.config.texts, unreadable="Bitte erneut senden.")
    )
    rig.open()
    rig.messenger.citizen_send(ANNA, "Guten Tag")
    rig.step()
    unreadable(rig, "$eins")
    rig.step()
    texts = [e.text for e in rig.messenger.phone(ANNA) if e.incoming]
    assert texts[-1] == "Bitte erneut senden."


def test_nothing_is_sent_outside_the_hour(rig: Rig) -> None:
    rig.open()
    rig.messenger.citizen_send(ANNA, "Guten Tag")
    rig.step()
    rig.clock.advance(hours=3)
    unreadable(rig, "$eins")
    rig.step()
    texts = [e.text for e in rig.messenger.phone(ANNA) if e.incoming]
    assert DEFAULT_TEXTS.unreadable not in texts
