"""`sandbox send`: acting as a citizen."""

from __future__ import annotations

from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp


def test_sandbox_refuses_ambiguous_input(sp: Sp, tmp_path: Path) -> None:
    result = sp("sandbox", "send", "--from", "c1", expect=ExitCode.USAGE)
    assert "Nothing to send" in result.stderr
