"""`sessions`: what the config plans and what this machine has seen."""

from __future__ import annotations

from tests.support.cli import Sp


def test_sessions_lists_config_and_state(hour_open: Sp) -> None:
    out = hour_open("sessions").stdout
    assert "mittwoch  2026-12-02 16:00–17:00 Europe/Berlin  local  open" in out
    assert "naechste  2026-12-16 16:00–17:00 Europe/Berlin  local  planned" in out
