"""domain/keys.py: the outbox's idempotency keys. Running sessions' outboxes hold these strings,
so each format is pinned literally: a change would queue an automatic text a second time."""

from __future__ import annotations

import pytest

from sprechstunde_cli.domain import keys


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (keys.greeting("mittwoch", 3), "mittwoch:greeting:3"),
        (keys.last_call("mittwoch", 3), "mittwoch:last_call:3"),
        (keys.closing("mittwoch", 12), "mittwoch:closing:12"),
        (keys.call_refusal("mittwoch", "call-7f3a"), "mittwoch:call:call-7f3a"),
        (keys.away("mittwoch", "wamid.ABC123"), "mittwoch:away:wamid.ABC123"),
        (keys.reply("mittwoch", "5c1d9e"), "mittwoch:reply:5c1d9e"),
        (keys.handoff("mittwoch", 4, "bauamt"), "mittwoch:handoff:4:bauamt"),
        (keys.caption("mittwoch:reply:5c1d9e"), "mittwoch:reply:5c1d9e:caption"),
        (
            keys.greeting("sprechstunde-2026-12-16", 1),
            "sprechstunde-2026-12-16:greeting:1",
        ),
    ],
)
def test_each_key_format_is_exactly_as_stored(made: str, expected: str) -> None:
    assert made == expected


def test_the_same_occasion_gives_the_same_key() -> None:
    assert keys.greeting("mittwoch", 3) == keys.greeting("mittwoch", 3)
    assert keys.handoff("mittwoch", 4, "bauamt") == keys.handoff("mittwoch", 4, "bauamt")


def test_different_occasions_never_share_a_key() -> None:
    made = {
        keys.greeting("mittwoch", 1),
        keys.greeting("mittwoch", 2),
        keys.greeting("naechste", 1),
        keys.last_call("mittwoch", 1),
        keys.closing("mittwoch", 1),
        keys.call_refusal("mittwoch", "1"),
        keys.away("mittwoch", "1"),
        keys.reply("mittwoch", "1"),
        keys.handoff("mittwoch", 1, "bauamt"),
        keys.handoff("mittwoch", 1, "ordnungsamt"),
        keys.caption(keys.reply("mittwoch", "1")),
    }
    assert len(made) == 11
