"""A message's key is the same under every id WAHA gives its person (@c.us, @lid)."""

from __future__ import annotations

import pytest

from sprechstunde_cli.providers.waha.chats import message_key, raw_chat_of


@pytest.mark.parametrize(
    "serialized",
    [
        "false_490000000001@c.us_3EB0A1B2C3D4E5F6",
        "false_1000000000001@lid_3EB0A1B2C3D4E5F6",
        "true_490000000001@c.us_3EB0A1B2C3D4E5F6",
        "false_120363000000000001@g.us_3EB0A1B2C3D4E5F6_490000000002@c.us",  # a participant
    ],
)
def test_every_form_of_one_message_has_its_key(serialized: str) -> None:
    assert message_key(serialized) == "3EB0A1B2C3D4E5F6"


def test_a_bare_key_is_its_own_key() -> None:
    assert message_key("3EB0A1B2C3D4E5F6") == "3EB0A1B2C3D4E5F6"
    assert message_key("false_") == "false_"  # no key in it: nothing is merged with it
    assert raw_chat_of("false_1000000000001@lid_3EB0") == "1000000000001@lid"


def test_different_messages_keep_different_keys() -> None:
    one = message_key("false_490000000001@c.us_3EB0A1B2C3D4E5F6")
    assert one != message_key("false_490000000001@c.us_3EB0A1B2C3D4E5F7")
    assert one != message_key("false_1000000000001@lid_AC0FFEE000000001")
