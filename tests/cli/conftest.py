"""What the CLI tests share: an open session with two citizens who wrote in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Sp
from tests.support.clocks import FakeClock


@pytest.fixture
def hour_open(sp: Sp, config_file: Path, clock: FakeClock) -> Sp:
    """An open session with two citizens who wrote in."""
    sp("open", "--once")
    sp("sandbox", "send", "--from", "+49 000 0000042", "--name", "", "Wann kommt der Bus?")
    sp("sandbox", "send", "--from", "anna", "--name", "Anna", "Guten Tag")
    sp("open", "--once")
    return sp
