"""`hour.early_minutes`: how long before the opening a message still belongs to the hour."""

from __future__ import annotations

import pytest

from sprechstunde_cli.config.hour import parse_hour
from sprechstunde_cli.errors import ConfigError


def test_early_minutes_defaults_to_15_and_takes_a_number() -> None:
    assert parse_hour({}).early_minutes == 15.0
    assert parse_hour({"early_minutes": 0}).early_minutes == 0.0
    assert parse_hour({"early_minutes": 30}).early_minutes == 30.0


@pytest.mark.parametrize("bad", [-1, "15", float("nan"), True])
def test_early_minutes_must_be_a_plain_non_negative_number(bad: object) -> None:
    with pytest.raises(ConfigError) as info:
        parse_hour({"early_minutes": bad})
    assert info.value.message.startswith("hour.early_minutes: ")
    assert info.value.hint
