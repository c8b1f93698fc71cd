"""`sprechstunde login` / `logout`: hidden input, keyring or 0600 file, the token never printed."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from typer.testing import CliRunner, Result

from sprechstunde_cli.cli import app
from sprechstunde_cli.errors import ExitCode
from sprechstunde_cli.system import credentials as secrets
from sprechstunde_cli.system.paths import Paths
from tests.support.keyring import MemoryKeyring

TOKEN = "syt_fictitious_token_77ab02"  # made up; tests search all output for it
ENV_TOKEN = "env_fictitious_token_c3d4e5"


class LeakyKeyring(MemoryKeyring):
    """A broken backend whose errors quote whatever secret it saw."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError(f"locked; env has {os.environ.get('SPRECHSTUNDE_MATRIX_TOKEN')}")


Sp = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SPRECHSTUNDE_"):
            monkeypatch.delenv(name)
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    # The config file does not exist: login and logout must not need one.
    return Paths(config_file=tmp_path / "absent.toml", data_dir=tmp_path / "data", log_dir=tmp_path)


@pytest.fixture
def sp(paths: Paths) -> Sp:
    def run(*args: str, input: str | None = None) -> Result:
        base = ["--config", str(paths.config_file), "--data-dir", str(paths.data_dir)]
        result = CliRunner().invoke(app, [*base, *args], input=input)
        for secret in (TOKEN, ENV_TOKEN):
            assert secret not in result.output
            assert secret not in result.stderr
        return result

    return run


def test_login_stores_the_prompted_token_in_the_keyring(
    sp: Sp, memory: MemoryKeyring, paths: Paths
) -> None:
    result = sp("login", "matrix", input=f"{TOKEN}\n")

    assert result.exit_code == 0, result.output
    assert memory.passwords == {(secrets.SERVICE, "matrix"): TOKEN}
    assert "Stored the token for matrix in the system keyring" in result.stdout
    assert result.stderr == ""
    assert not paths.config_file.exists()


def test_login_reads_one_line_from_stdin_for_scripts(sp: Sp, memory: MemoryKeyring) -> None:
    result = sp("login", "whatsapp-cloud", "--token-stdin", input=f"  {TOKEN}  \nignored\n")

    assert result.exit_code == 0, result.output
    assert memory.passwords == {(secrets.SERVICE, "whatsapp-cloud"): TOKEN}


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring()])
def test_login_refuses_an_unsafe_keyring(sp: Sp, backend: KeyringBackend, paths: Paths) -> None:
    keyring.set_keyring(backend)

    result = sp("login", "matrix", input=f"{TOKEN}\n")

    assert result.exit_code == ExitCode.AUTH
    assert "Token for matrix" not in result.stdout  # refused before asking for the token
    assert "Error: No secure place for the token" in result.stderr
    assert "--insecure-storage" in result.stderr
    assert "SPRECHSTUNDE_MATRIX_TOKEN" in result.stderr
    assert not secrets.token_file(paths).exists()


def test_login_with_insecure_storage_writes_a_private_file(sp: Sp, paths: Paths) -> None:
    keyring.set_keyring(fail.Keyring())

    result = sp("login", "matrix", "--insecure-storage", input=f"{TOKEN}\n")

    assert result.exit_code == 0, result.output
    file = secrets.token_file(paths)
    assert f"Stored the token for matrix in {file}" in result.stdout
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert secrets.token_for("matrix", paths) == secrets.Secret(TOKEN)


@pytest.mark.parametrize("typed", ["\n", "   \n", "tok\x1ben\n"])
def test_login_refuses_an_empty_or_garbled_token(sp: Sp, memory: MemoryKeyring, typed: str) -> None:
    result = sp("login", "matrix", input=typed)

    assert result.exit_code == ExitCode.AUTH
    assert "nothing was stored" in result.stderr
    assert memory.passwords == {}


def test_login_takes_no_token_argument(sp: Sp, memory: MemoryKeyring) -> None:
    result = sp("login", "matrix", "--token", "x", input=f"{TOKEN}\n")

    assert result.exit_code == ExitCode.USAGE
    assert memory.passwords == {}


def test_login_local_needs_no_token(sp: Sp, memory: MemoryKeyring) -> None:
    result = sp("login", "local", input=f"{TOKEN}\n")

    assert result.exit_code == 0
    assert result.stdout == "The local provider needs no token; nothing to store.\n"
    assert memory.passwords == {}


def test_login_refuses_a_malformed_provider_name(sp: Sp, memory: MemoryKeyring) -> None:
    result = sp("login", "../Matrix", input=f"{TOKEN}\n")

    assert result.exit_code == ExitCode.USAGE
    assert "lowercase letters, digits and '-'" in result.stderr
    assert memory.passwords == {}


def test_logout_says_whether_there_was_a_token(sp: Sp, memory: MemoryKeyring) -> None:
    memory.passwords[(secrets.SERVICE, "matrix")] = TOKEN

    first = sp("logout", "matrix")
    second = sp("logout", "matrix")

    assert (first.exit_code, first.stdout) == (0, "Deleted the stored token for matrix.\n")
    assert (second.exit_code, second.stdout) == (0, "No token for matrix was stored.\n")
    assert memory.passwords == {}


def test_logout_points_out_a_token_still_in_the_environment(
    sp: Sp, memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", ENV_TOKEN)

    result = sp("logout", "matrix")

    assert result.exit_code == 0
    assert "SPRECHSTUNDE_MATRIX_TOKEN is still set" in result.stdout


def test_logout_of_an_insecure_file_token(sp: Sp, paths: Paths) -> None:
    keyring.set_keyring(null.Keyring())
    sp("login", "matrix", "--insecure-storage", input=f"{TOKEN}\n")

    result = sp("logout", "matrix")

    assert result.stdout == "Deleted the stored token for matrix.\n"
    assert not secrets.token_file(paths).exists()


def test_failing_keyring_errors_never_print_the_token(
    sp: Sp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", ENV_TOKEN)
    keyring.set_keyring(LeakyKeyring())

    login = sp("login", "matrix", input=f"{TOKEN}\n")
    logout = sp("logout", "matrix")

    # `sp` already asserted that neither token appears in stdout or stderr.
    assert login.exit_code == ExitCode.AUTH
    assert "did not store the token (RuntimeError)" in login.stderr
    assert logout.exit_code == ExitCode.AUTH
    assert "did not delete the token (RuntimeError)" in logout.stderr


def test_an_unexpected_error_does_not_print_the_env_token(
    sp: Sp, memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", ENV_TOKEN)

    def broken(provider: str, paths: Paths) -> bool:
        raise ValueError(f"bug while holding {os.environ['SPRECHSTUNDE_MATRIX_TOKEN']}")

    monkeypatch.setattr(secrets, "delete_token", broken)

    result = sp("logout", "matrix")

    assert result.exit_code == ExitCode.ERROR
    assert "unexpected ValueError" in result.stderr


def test_every_option_has_help(sp: Sp) -> None:
    for command in ("login", "logout"):
        result = sp(command, "--help")
        assert result.exit_code == 0
        assert f"Usage: sprechstunde {command} [OPTIONS] {{provider}}" in result.stdout
    help_text = sp("login", "--help").stdout
    assert "--insecure-storage" in help_text and "0600" in help_text
    assert "--token-stdin" in help_text and "standard input" in help_text
