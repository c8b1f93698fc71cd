"""`close --purge`, `purge` and `receipt` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp


def test_close_and_purge_leave_nothing(hour_open: Sp, tmp_path: Path) -> None:
    result = hour_open("close", "--purge")
    assert "closing words sent to 2 waiting thread(s)" in result.stdout
    assert "Local data deleted and verified (clean)" in result.stdout
    receipt = json.loads(hour_open("receipt", "mittwoch", "--json").stdout)
    assert receipt["verification"]["result"] == "clean"
    assert receipt["counts"]["threads"] == 2
    assert hour_open("sandbox", "inbox", "--as", "anna", "--json").stdout == ""
    result = hour_open("threads", expect=ExitCode.NOT_FOUND)
    assert "No session is open" in result.stderr
    result = hour_open("purge", "mittwoch")
    assert "already purged" in result.stdout


def test_after_a_close_without_purge_the_hint_names_the_purge(hour_open: Sp) -> None:
    hour_open("close")
    result = hour_open("close", "--purge", expect=ExitCode.NOT_FOUND)
    assert "'mittwoch' is closed but not yet purged" in result.stderr
    assert "sprechstunde purge mittwoch" in result.stderr
