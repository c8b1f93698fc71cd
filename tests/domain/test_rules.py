"""Pure rules: how a citizen is shown, and the waiting order."""

from __future__ import annotations

import pytest

from sprechstunde_cli.domain.rules import mask_address, masked_number


def test_a_number_is_masked_and_a_name_is_shown() -> None:
    assert mask_address("+49 000 0000042") == "+49 000 •••• 42"
    assert mask_address("+49 000 0000042", "Anna") == "+49 000 •••• 42"  # a number wins
    assert mask_address("!raum42:example.org", " Anna ") == "Anna"
    assert mask_address("!raum42:example.org", "") == "!r••••rg"
    assert mask_address("1234567890@lid", "") == "12••••90"


@pytest.mark.parametrize(
    "blank",
    [
        "",
        "   ",
        "\u3164",
        "\u115f\u1160",
        "\u2800\u2800",
        "\u034f",
        "\u17b4 \u17b5",
        "\u200b\ufeff",
    ],
)
def test_a_name_that_shows_nothing_falls_back_to_the_masked_handle(blank: str) -> None:
    assert mask_address("!raum42:example.org", blank) == "!r••••rg"


def test_a_number_is_masked_without_its_name_and_anything_else_is_no_number() -> None:
    # store/thread_row.py unseals a display name only where masked_number finds no number.
    assert masked_number("+49 170 0000123") == "+49 170 •••• 23"
    assert masked_number("+49 170 0000123") == mask_address("+49 170 0000123", "Erika")
    assert masked_number("@anna:example.org") is None
    assert masked_number("anna") is None
