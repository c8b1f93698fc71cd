"""Provider tokens: the OS keyring first, then SPRECHSTUNDE_<PROVIDER>_TOKEN; never config or argv.

`keyring` is imported inside the functions: it is slow to import and most commands need no token.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import AuthError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system import redact
from sprechstunde_cli.system.files import write_private
from sprechstunde_cli.system.paths import Paths

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "sprechstunde"  # the keyring's service name; the username is the provider name
_PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True, slots=True, repr=False)
class Secret:
    """A token that shows as Secret('***') wherever it is printed, logged or traced, and is
    redacted from every text the process prints, logs or stores (system/redact.py)."""

    _value: str

    def __post_init__(self) -> None:
        redact.remember(self._value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class _Backend(Enum):
    SECURE = "secure"
    PLAINTEXT = "plaintext"  # stores, but unencrypted on disk
    UNUSABLE = "unusable"  # stores nothing: every token would be lost or refused


# Matched by name, not isinstance: keyrings.alt is optional and importing it to compare is slow.
_INSECURE_BACKENDS = {
    "keyring.backends.fail.Keyring": _Backend.UNUSABLE,
    "keyring.backends.null.Keyring": _Backend.UNUSABLE,
    "keyrings.alt.file.PlaintextKeyring": _Backend.PLAINTEXT,
}


def check_provider_name(provider: str) -> str:
    """Return `provider` if it is a valid provider name (lowercase, digits, '-'), else raise."""
    if not _PROVIDER_NAME.fullmatch(provider):
        # The name is not echoed: it may be whatever was pasted into the terminal.
        raise ValueError(
            "Provider names are lowercase letters, digits and '-', e.g. matrix or whatsapp-cloud."
        )
    return provider


def env_var(provider: str) -> str:
    """The environment variable that supplies `provider`'s token, e.g. SPRECHSTUNDE_MATRIX_TOKEN."""
    return f"SPRECHSTUNDE_{check_provider_name(provider).upper().replace('-', '_')}_TOKEN"


def token_file(paths: Paths) -> Path:
    """The 0600 file used with --insecure-storage when no keyring can hold anything."""
    return paths.data_dir / "secrets" / "tokens.json"


def token_for(provider: str, paths: Paths) -> Secret | None:
    """The keyring's token, else the --insecure-storage file's, else the env var's, else None."""
    check_provider_name(provider)
    stored = _keyring_get(provider) or _read_file(paths).get(provider)
    if stored:
        return Secret(stored)
    from_env = os.environ.get(env_var(provider), "").strip()
    return Secret(from_env) if from_env else None


def require_token(provider: str, paths: Paths) -> Secret:
    """`token_for`, or an AuthError that says how to provide one."""
    token = token_for(provider, paths)
    if token is None:
        raise AuthError(
            _("No token for provider '{provider}'.").format(provider=provider),
            _("Run: sprechstunde login {provider} (or set {env_var}).").format(
                provider=provider, env_var=env_var(provider)
            ),
        )
    return token


def check_storage(provider: str, *, insecure_ok: bool) -> None:
    """Raise the AuthError `store_token` would, before anyone pastes a token in vain."""
    _writable_backend(provider, insecure_ok=insecure_ok)


def store_token(provider: str, token: Secret, paths: Paths, *, insecure_ok: bool) -> str:
    """Keep `token` for `provider`; return where it went, in words for the operator."""
    backend, kind, what = _writable_backend(provider, insecure_ok=insecure_ok)
    if backend is None:
        tokens = _read_file(paths)
        tokens[provider] = token.reveal()
        _write_file(paths, tokens)
        return f"{token_file(paths)} (unencrypted, readable only by you)"
    try:
        backend.set_password(SERVICE, provider, token.reveal())
    except Exception as exc:  # backends raise D-Bus, OS and keyring errors alike
        raise AuthError(
            _("The keyring ({what}) did not store the token ({kind}).").format(
                what=what, kind=type(exc).__name__
            ),
            _(
                "Unlock the keyring (e.g. log in to the desktop session) and try again, "
                "or set {env_var} instead."
            ).format(env_var=env_var(provider)),
        ) from None
    # An older --insecure-storage copy would otherwise linger on disk.
    _remove_from_file(provider, paths)
    if kind is _Backend.PLAINTEXT:
        return f"the keyring {what} (unencrypted on disk)"
    return f"the system keyring ({backend.name})"


def delete_token(provider: str, paths: Paths) -> bool:
    """Forget `provider`'s stored token; True if there was one. The env var is not touched."""
    check_provider_name(provider)
    import keyring
    from keyring.errors import PasswordDeleteError

    backend = keyring.get_keyring()
    kind, what = _classify(backend)
    removed = False
    if kind is not _Backend.UNUSABLE:
        try:
            backend.delete_password(SERVICE, provider)
            removed = True
        except PasswordDeleteError:
            pass  # there was none
        except Exception as exc:  # backends raise D-Bus, OS and keyring errors alike
            raise AuthError(
                _("The keyring ({what}) did not delete the token ({kind}).").format(
                    what=what, kind=type(exc).__name__
                ),
                _("Unlock the keyring (e.g. log in to the desktop session) and try again."),
            ) from None
    return _remove_from_file(provider, paths) or removed


def _writable_backend(
    provider: str, *, insecure_ok: bool
) -> tuple[KeyringBackend | None, _Backend, str]:
    """The keyring to write to (None: our own file), its kind and name; or the refusal."""
    check_provider_name(provider)
    import keyring

    backend = keyring.get_keyring()
    kind, what = _classify(backend)
    if kind is _Backend.SECURE or (kind is _Backend.PLAINTEXT and insecure_ok):
        return backend, kind, what
    if kind is _Backend.UNUSABLE and insecure_ok:
        return None, kind, what
    reason = (
        _("cannot store anything") if kind is _Backend.UNUSABLE else _("stores tokens unencrypted")
    )
    raise AuthError(
        _("No secure place for the token: the keyring backend is {what}, which {reason}.").format(
            what=what, reason=reason
        ),
        _(
            "Install and unlock a Secret Service such as gnome-keyring or KWallet "
            "(the macOS Keychain works as is), or set {env_var} in the environment, "
            "or pass --insecure-storage to keep it unencrypted in a file only you "
            "can read."
        ).format(env_var=env_var(provider)),
    )


def _classify(backend: KeyringBackend) -> tuple[_Backend, str]:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chain = list(backend.backends)
        if not chain:
            return _Backend.UNUSABLE, "an empty keyring chain"
        return _classify(chain[0])  # the chain writes to its first member
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}"
    return _INSECURE_BACKENDS.get(name, _Backend.SECURE), name


def _keyring_get(provider: str) -> str | None:
    import keyring

    try:
        return keyring.get_password(SERVICE, provider)
    except Exception:  # an unusable keyring (no D-Bus, locked, fail backend) means "no token here"
        return None


def _read_file(paths: Paths) -> dict[str, str]:
    path = token_file(paths)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    if os.name == "posix" and mode & 0o077:
        raise AuthError(
            _("The token file {path} can be read by other users.").format(path=path),
            _("Run: chmod 600 {path} (or delete it and log in again).").format(path=path),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tokens = data["tokens"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in tokens.items()):
            raise TypeError("tokens must map names to strings")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        # `from None`: a decode error's context could quote the file, i.e. a token.
        raise AuthError(
            _("The token file {path} is unreadable or damaged.").format(path=path),
            _("Delete it and run: sprechstunde login PROVIDER --insecure-storage"),
        ) from None
    return dict(tokens)


def _write_file(paths: Paths, tokens: dict[str, str]) -> None:
    path = token_file(paths)
    if not tokens:
        path.unlink(missing_ok=True)
        return
    body = json.dumps({"version": 1, "tokens": tokens}, indent=2, sort_keys=True) + "\n"
    write_private(path, body.encode("utf-8"))


def _remove_from_file(provider: str, paths: Paths) -> bool:
    tokens = _read_file(paths)
    if tokens.pop(provider, None) is None:
        return False
    _write_file(paths, tokens)
    return True
