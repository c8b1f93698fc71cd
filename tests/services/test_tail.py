"""`tail` follows a withdrawal or an edit of a message it already printed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction
from sprechstunde_cli.render.jsonout import message_event
from sprechstunde_cli.services.tail import Change, Follower
from tests.support.handoff_rig import CITIZEN, Rig, open_rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        opened.open()
        yield opened


def test_a_later_withdrawal_and_edit_are_events_of_their_own(rig: Rig) -> None:
    rig.says(CITIZEN, "erste")
    rig.says(CITIZEN, "zweite, mit Tippfeler")
    follower = Follower(rig.store, rig.session, lines=10)
    first = follower.new()
    assert [s.change for s in first] == [Change.MESSAGE] * len(first)
    assert follower.new() == []
    rig.messenger.citizen_edit(CITIZEN, "zweite, ohne Tippfehler")
    rig.step()
    edited = follower.new()
    assert [(s.change, s.message.body, s.message.edited) for s in edited] == [
        (Change.EDIT, "zweite, ohne Tippfehler", True)
    ]
    rig.messenger.citizen_withdraw(CITIZEN)
    rig.step()
    (withdrawn,) = follower.new()
    event = message_event("mittwoch", withdrawn.citizen, withdrawn.message, withdrawn.change)
    assert event["event"] == "withdrawal" and event["withdrawn"] is True
    assert event["text"] == "" and event["id"] == edited[0].message.id
    assert follower.new() == []


def test_a_message_new_to_the_follower_shows_its_latest_state_once(rig: Rig) -> None:
    follower = Follower(rig.store, rig.session, lines=0)
    rig.says(CITIZEN, "Hallo")
    rig.messenger.citizen_withdraw(CITIZEN)
    rig.step()
    seen = [s for s in follower.new() if s.message.direction is Direction.IN]
    assert [(s.change, s.message.withdrawn) for s in seen] == [(Change.MESSAGE, True)]
