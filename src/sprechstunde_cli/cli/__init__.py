"""The command line: Typer commands that parse, call one service, and render."""

from __future__ import annotations

# Importing a command module registers its commands on `app`; keep these imports cheap.
from sprechstunde_cli.cli import (
    auth,
    closing,
    demo,
    doctor,
    followup,
    plan,
    sandbox,
    session,
    setup,
    threads,
)
from sprechstunde_cli.cli.app import app
from sprechstunde_cli.cli.application import Wiring

__all__ = [
    "app",
    "auth",
    "closing",
    "demo",
    "doctor",
    "followup",
    "main",
    "plan",
    "sandbox",
    "session",
    "setup",
    "threads",
]


def main(wiring: Wiring | None = None) -> None:
    """The `sprechstunde` command; `wiring` replaces the clock or HTTP transport (tests)."""
    app(obj=wiring)
