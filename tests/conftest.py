"""Isolation for every test: tmp dirs, no colour, fixed width, in-memory keyring, fake clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from typer.testing import CliRunner, Result

from sprechstunde_cli.cli import app
from sprechstunde_cli.cli.application import Wiring
from sprechstunde_cli.errors import ExitCode

# The Matrix tests' real Synapse homeserver (session-scoped, started only when a test asks).
pytest_plugins = ["conftest_synapse", "service_rig"]


def needs(tool: str) -> pytest.MarkDecorator:
    """Mark a cross-check against an external tool.

    On a developer machine without the tool the test is skipped and says so; in CI (.ci/run
    installs the tool) it always runs, so a missing tool fails there instead of hiding.
    """
    missing = shutil.which(tool) is None and not os.environ.get("CI")
    return pytest.mark.skipif(missing, reason=f"{tool} is not installed here (.ci/run installs it)")


class MemoryKeyring(KeyringBackend):
    """A secure-looking backend that keeps passwords in a dict: no test touches a real one."""

    priority = 1  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]  # never picked by keyring's own detection

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class FakeClock:
    """A clock tests move by hand; sleep() advances it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


# Wednesday 2 December 2026, 16:05 in Berlin (UTC+1): five minutes into the example hour.
IN_THE_HOUR = datetime(2026, 12, 2, 15, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("SPRECHSTUNDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SPRECHSTUNDE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "40")
    monkeypatch.setenv("TERM", "dumb")
    for var in ("SPRECHSTUNDE_OPERATOR", "SPRECHSTUNDE_DEBUG", "EDITOR", "VISUAL"):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield tmp_path
    keyring.set_keyring(previous)


@pytest.fixture
def memory(isolated: Path) -> MemoryKeyring:
    """The in-memory keyring every test runs with, for tests that look inside it."""
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    return backend


class Plugs:
    """What `sp` wires into the application: fixtures set a fake clock or an HTTP transport."""

    def __init__(self) -> None:
        self.clock: FakeClock | None = None
        self.transport: httpx.BaseTransport | None = None

    def wiring(self) -> Wiring:
        base = Wiring()
        return Wiring(clock=self.clock or base.clock, transport=self.transport)


@pytest.fixture
def plugs() -> Plugs:
    return Plugs()


@pytest.fixture
def clock(plugs: Plugs) -> FakeClock:
    fake = FakeClock(IN_THE_HOUR)
    plugs.clock = fake
    return fake


EXAMPLE_CONFIG = """
[office]
name = "Stadt Musterstadt"
timezone = "Europe/Berlin"

[hour]
last_call_minutes = 10
poll_seconds = 0.01

[sessions.mittwoch]
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
official = "Oberbürgermeisterin Erika Mustermann"
start = 2026-12-02T16:00:00
end = 2026-12-02T17:00:00
provider = "local"

[sessions.naechste]
title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"
official = "Oberbürgermeisterin Erika Mustermann"
start = 2026-12-16T16:00:00
end = 2026-12-16T17:00:00

[templates]
danke = "Vielen Dank, {official} meldet sich bis {end} Uhr."
"""


@pytest.fixture
def config_file(isolated: Path) -> Path:
    path = isolated / "config.toml"
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    return path


Sp = Callable[..., Result]


def _code_name(code: int) -> str:
    return ExitCode(code).name if code in {int(c) for c in ExitCode} else "?"


@pytest.fixture
def sp(plugs: Plugs) -> Sp:
    """Run the CLI like a shell would: `sp("reply", "3", "Danke!")`."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, expect: int | None = 0) -> Result:
        result = runner.invoke(
            app, list(args), input=input, catch_exceptions=False, obj=plugs.wiring()
        )
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"sprechstunde {' '.join(args)} exited {result.exit_code} "
                f"({_code_name(result.exit_code)}),"
                f" expected {expect}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    return run
