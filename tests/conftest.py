"""Isolation for every test: tmp dirs, no colour, fixed width, in-memory keyring, fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from typer.testing import CliRunner, Result

from sprechstunde_cli.cli import app
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.system import redact
from tests.support.cli import EXAMPLE_CONFIG, Plugs, Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.keyring import MemoryKeyring

# The Matrix tests' real Synapse homeserver (session-scoped, started only when a test asks),
# and the service rig's fixtures.
pytest_plugins = ["tests.support.synapse_fixtures", "tests.support.service_rig"]


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
    redact.forget_all()  # each test's secrets are its own: none redacts another test's text
    yield tmp_path
    keyring.set_keyring(previous)
    redact.forget_all()


@pytest.fixture
def memory(isolated: Path) -> MemoryKeyring:
    """The in-memory keyring every test runs with, for tests that look inside it."""
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    return backend


@pytest.fixture
def plugs() -> Plugs:
    return Plugs()


@pytest.fixture
def clock(plugs: Plugs) -> FakeClock:
    fake = FakeClock(IN_THE_HOUR)
    plugs.clock = fake
    return fake


@pytest.fixture
def config_file(isolated: Path) -> Path:
    path = isolated / "config.toml"
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    return path


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
