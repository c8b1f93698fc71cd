"""domain/counters.py: one named counter for every kind received and every purpose sent."""

from __future__ import annotations

import pytest

from sprechstunde_cli.domain.counters import RECEIVED, Counter
from sprechstunde_cli.domain.model import MessageKind, Purpose


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_message_kind_has_a_received_counter(kind: MessageKind) -> None:
    counter = Counter.received(kind)
    assert isinstance(counter, Counter)
    assert counter.value == f"received_{kind.value}"


@pytest.mark.parametrize("purpose", list(Purpose))
def test_every_purpose_has_a_sent_counter(purpose: Purpose) -> None:
    counter = Counter.sent(purpose)
    assert isinstance(counter, Counter)
    assert counter.value == f"sent_{purpose.value}"


def test_the_counters_are_distinct_per_kind_and_purpose() -> None:
    received = {Counter.received(kind) for kind in MessageKind}
    sent = {Counter.sent(purpose) for purpose in Purpose}
    assert len(received) == len(MessageKind)
    assert len(sent) == len(Purpose)
    assert not received & sent


def test_received_lists_one_counter_per_kind_in_order() -> None:
    assert tuple(Counter.received(kind) for kind in MessageKind) == RECEIVED
    assert len(RECEIVED) == len(MessageKind)


def test_the_stored_names_stay_as_they_are() -> None:
    # Sessions' counters are stored under these names and outlive the purge.
    assert Counter.CALLS_REFUSED.value == "calls_refused"
    assert Counter.LATE_MESSAGES.value == "late_messages"
    assert Counter.received(MessageKind.VOICE) == "received_voice"
    assert Counter.sent(Purpose.CALL_REFUSAL) == "sent_call_refusal"
    assert Counter.sent(Purpose.HANDOFF) == "sent_handoff"
    assert Counter.WITHDRAWN.value == "withdrawn_by_citizen"
    assert Counter.EDITED.value == "edited_by_citizen"
    assert Counter.UNSHOWABLE.value == "received_unshowable"
