"""Token storage: keyring first, env var fallback, refusal of unsafe backends, 0600 file."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend

from sprechstunde_cli.errors import AuthError, ExitCode
from sprechstunde_cli.system.credentials import (
    SERVICE,
    Secret,
    check_provider_name,
    delete_token,
    env_var,
    require_token,
    store_token,
    token_file,
    token_for,
)
from sprechstunde_cli.system.paths import Paths
from tests.support.keyring import MemoryKeyring

TOKEN = "syt_fictitious_token_4f1c9e"  # made up; tests search all output for it


class LeakyKeyring(MemoryKeyring):
    """A broken backend whose errors quote the password, as a careless one might."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"D-Bus said no to {TOKEN}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password}")


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plaintext file backend, which may not be installed."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class EmptyChain(ChainerBackend):
    backends = ()  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SPRECHSTUNDE_") and name.endswith("_TOKEN"):
            monkeypatch.delenv(name)
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_file=tmp_path / "none.toml", data_dir=tmp_path / "data", log_dir=tmp_path)


def test_secret_never_shows_its_value() -> None:
    secret = Secret(TOKEN)
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "Secret('***')"
    assert TOKEN not in f"{secret} {[secret]} {secret!r} { ({'t': secret}) }"
    assert secret.reveal() == TOKEN
    with pytest.raises(AttributeError):
        secret._value = "other"  # type: ignore[misc]


def test_env_var_name_is_upper_case_with_underscores() -> None:
    assert env_var("matrix") == "SPRECHSTUNDE_MATRIX_TOKEN"
    assert env_var("whatsapp-cloud") == "SPRECHSTUNDE_WHATSAPP_CLOUD_TOKEN"


@pytest.mark.parametrize("name", ["", "Matrix", "../etc", "a b", "matrix\n", "-x", "x" * 41])
def test_provider_names_outside_the_pattern_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        check_provider_name(name)


def test_stored_token_goes_to_the_keyring_and_comes_back(
    memory: MemoryKeyring, paths: Paths
) -> None:
    where = store_token("matrix", Secret(TOKEN), paths, insecure_ok=False)

    assert memory.passwords == {(SERVICE, "matrix"): TOKEN}
    assert "keyring" in where
    assert TOKEN not in where
    assert not token_file(paths).exists()
    assert token_for("matrix", paths) == Secret(TOKEN)
    assert token_for("telegram", paths) is None


def test_keyring_wins_over_env_var(
    memory: MemoryKeyring, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.passwords[(SERVICE, "matrix")] = TOKEN
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", "from-env")

    token = token_for("matrix", paths)

    assert token is not None and token.reveal() == TOKEN


def test_env_var_is_the_fallback(
    memory: MemoryKeyring, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRECHSTUNDE_WHATSAPP_CLOUD_TOKEN", f"  {TOKEN}\n")
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", "   ")

    token = token_for("whatsapp-cloud", paths)

    assert token is not None and token.reveal() == TOKEN
    assert token_for("matrix", paths) is None  # blank counts as unset


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), LeakyKeyring()])
def test_unusable_keyring_falls_back_to_env_var_without_raising(
    backend: KeyringBackend, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(backend)
    assert token_for("matrix", paths) is None
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", TOKEN)
    assert token_for("matrix", paths) == Secret(TOKEN)


def test_require_token_names_login_and_env_var(memory: MemoryKeyring, paths: Paths) -> None:
    with pytest.raises(AuthError) as caught:
        require_token("whatsapp-cloud", paths)

    assert caught.value.exit_code is ExitCode.AUTH
    assert caught.value.message == "No token for provider 'whatsapp-cloud'."
    assert caught.value.hint == (
        "Run: sprechstunde login whatsapp-cloud (or set SPRECHSTUNDE_WHATSAPP_CLOUD_TOKEN)."
    )


def test_require_token_returns_the_stored_one(memory: MemoryKeyring, paths: Paths) -> None:
    memory.passwords[(SERVICE, "matrix")] = TOKEN
    assert require_token("matrix", paths).reveal() == TOKEN


@pytest.mark.parametrize(
    ("backend", "shown"),
    [
        (null.Keyring(), "keyring.backends.null.Keyring"),
        (fail.Keyring(), "keyring.backends.fail.Keyring"),
        (EmptyChain(), "an empty keyring chain"),
        (PlaintextKeyring(), "keyrings.alt.file.PlaintextKeyring"),
    ],
)
def test_unsafe_backends_are_refused_without_insecure_storage(
    backend: KeyringBackend, shown: str, paths: Paths
) -> None:
    keyring.set_keyring(backend)

    with pytest.raises(AuthError) as caught:
        store_token("matrix", Secret(TOKEN), paths, insecure_ok=False)

    assert shown in caught.value.message
    for fix in ("gnome-keyring", "KWallet", "Keychain", "SPRECHSTUNDE_MATRIX_TOKEN", "--insecure"):
        assert fix in caught.value.hint
    assert TOKEN not in caught.value.message + caught.value.hint
    assert not token_file(paths).exists()
    if isinstance(backend, MemoryKeyring):
        assert backend.passwords == {}


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring(), EmptyChain()])
def test_insecure_storage_writes_a_private_file(backend: KeyringBackend, paths: Paths) -> None:
    keyring.set_keyring(backend)

    where = store_token("matrix", Secret(TOKEN), paths, insecure_ok=True)

    file = token_file(paths)
    assert str(file) in where
    assert TOKEN not in where
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert json.loads(file.read_text())["tokens"] == {"matrix": TOKEN}
    assert token_for("matrix", paths) == Secret(TOKEN)


def test_insecure_storage_with_a_plaintext_keyring_uses_it(paths: Paths) -> None:
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)

    where = store_token("matrix", Secret(TOKEN), paths, insecure_ok=True)

    assert "unencrypted" in where
    assert backend.passwords == {(SERVICE, "matrix"): TOKEN}
    assert not token_file(paths).exists()


def test_file_tokens_are_deleted_one_by_one(paths: Paths) -> None:
    keyring.set_keyring(fail.Keyring())
    store_token("matrix", Secret(TOKEN), paths, insecure_ok=True)
    store_token("telegram", Secret("other"), paths, insecure_ok=True)

    assert delete_token("matrix", paths) is True
    assert token_for("matrix", paths) is None
    assert token_for("telegram", paths) == Secret("other")
    assert delete_token("matrix", paths) is False

    assert delete_token("telegram", paths) is True
    assert not token_file(paths).exists()


def test_delete_from_keyring_reports_whether_there_was_one(
    memory: MemoryKeyring, paths: Paths
) -> None:
    memory.passwords[(SERVICE, "matrix")] = TOKEN

    assert delete_token("matrix", paths) is True
    assert memory.passwords == {}
    assert delete_token("matrix", paths) is False


def test_keyring_login_removes_an_older_file_copy(paths: Paths) -> None:
    keyring.set_keyring(fail.Keyring())
    store_token("matrix", Secret("old"), paths, insecure_ok=True)
    memory = MemoryKeyring()
    keyring.set_keyring(memory)

    store_token("matrix", Secret(TOKEN), paths, insecure_ok=False)

    assert memory.passwords == {(SERVICE, "matrix"): TOKEN}
    assert not token_file(paths).exists()


def test_a_token_file_others_can_read_is_refused(paths: Paths) -> None:
    keyring.set_keyring(null.Keyring())
    store_token("matrix", Secret(TOKEN), paths, insecure_ok=True)
    token_file(paths).chmod(0o644)

    with pytest.raises(AuthError) as caught:
        token_for("matrix", paths)

    assert "other users" in caught.value.message
    assert "chmod 600" in caught.value.hint


def test_a_damaged_token_file_is_reported_without_its_content(paths: Paths) -> None:
    keyring.set_keyring(null.Keyring())
    file = token_file(paths)
    file.parent.mkdir(parents=True, mode=0o700)
    file.write_text(f'{{"tokens": {{"matrix": "{TOKEN}"', encoding="utf-8")
    file.chmod(0o600)

    with pytest.raises(AuthError) as caught:
        token_for("matrix", paths)

    assert "damaged" in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert TOKEN not in caught.value.message + caught.value.hint


def test_a_failing_keyring_error_does_not_quote_the_token(paths: Paths) -> None:
    keyring.set_keyring(LeakyKeyring())

    with pytest.raises(AuthError) as caught:
        store_token("matrix", Secret(TOKEN), paths, insecure_ok=False)

    assert "RuntimeError" in caught.value.message
    assert TOKEN not in caught.value.message + caught.value.hint
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
