"""Per-session encryption at rest, so destroying one key makes every leftover copy unreadable.

SQLite's secure_delete zeroes freed pages, but an SSD's wear levelling or a copy-on-write file
system can keep old blocks; those then hold only AES-GCM ciphertext under a key that is gone.
The key lives outside the data dir (a 0600 file) so a crashed session can resume.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system import disk
from sprechstunde_cli.system.files import create_private, private_dir

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


def aes_gcm() -> type[AESGCM]:
    """cryptography's AES-GCM, imported on first use: `--help` and most commands encrypt
    nothing.

    Taken from its Rust bindings, the very class `cryptography.hazmat.primitives.ciphers.aead`
    re-exports (`AESGCM = rust_openssl.aead.AESGCM`): importing it there skips the `ciphers`
    package, which loads every other cipher and mode with it (~3 ms of every command that
    reads the store). Should a release move it, the public module serves, only slower;
    tests/store/test_crypto.py checks that both are the same class."""
    try:
        from cryptography.hazmat.bindings._rust import openssl

        found: type[AESGCM] = openssl.aead.AESGCM
    except (ImportError, AttributeError):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM as found
    return found


class SessionKeys:
    """Keys by session id, one file each; `cipher()` creates a key on first use."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._ciphers: dict[str, AESGCM] = {}

    def path(self, session_id: str) -> Path:
        return self.key_dir / f"{session_id}.key"

    def exists(self, session_id: str) -> bool:
        return self.path(session_id).exists()

    def _aead(self, session_id: str, create: bool) -> AESGCM:
        cached = self._ciphers.get(session_id)
        if cached is not None:
            return cached
        path = self.path(session_id)
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            if not create:
                raise StoreError(
                    _(
                        "The key of session '{session_id}' is gone, so its stored content is "
                        "unreadable (it was purged)."
                    ).format(session_id=session_id),
                    _("Nothing to recover; see: sprechstunde receipt {session_id}").format(
                        session_id=session_id
                    ),
                ) from None
            key = self._create(path)
        if len(key) != KEY_BYTES:
            raise StoreError(
                _("The key file {path} is damaged.").format(path=path),
                _("Restore it from a backup, or purge the session."),
            )
        aead = aes_gcm()(key)
        self._ciphers[session_id] = aead
        return aead

    def _create(self, path: Path) -> bytes:
        key = _random(KEY_BYTES)
        try:
            with disk.named(self.key_dir, KEY_BYTES):  # a full or read-only disk, named
                private_dir(self.key_dir)
                # Never replaces: of two processes racing to create the key, one wins.
                create_private(path, key)
        except FileExistsError:
            return path.read_bytes()
        return key

    def seal(self, session_id: str, data: bytes, context: str, *, create: bool = True) -> bytes:
        """`create=False`: only with the session's existing key (StoreError if there is none)."""
        nonce = _random(NONCE_BYTES)
        aad = f"{session_id}:{context}".encode()
        return nonce + self._aead(session_id, create=create).encrypt(nonce, data, aad)

    def unseal(self, session_id: str, blob: bytes, context: str) -> bytes:
        aad = f"{session_id}:{context}".encode()
        try:
            return self._aead(session_id, create=False).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad
            )
        except _invalid_tag():
            raise StoreError(
                _("Stored content of session '{session_id}' does not decrypt.").format(
                    session_id=session_id
                ),
                _("The store or the key file was altered; purge the session."),
            ) from None

    def destroy(self, session_id: str) -> bool:
        """Overwrite and delete the key; True if there was one."""
        self._ciphers.pop(session_id, None)
        path = self.path(session_id)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        with path.open("r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return True


def _invalid_tag() -> type[Exception]:
    # Looked up only when a blob fails to open (an `except` names its class only then): an
    # import statement costs ~0.8 µs even when the module is loaded, on every body a view opens.
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def _random(size: int) -> bytes:
    # The operating system's CSPRNG, which is what `secrets.token_bytes` returns; `secrets`
    # itself would bring hmac and OpenSSL's hashlib along (~3 ms of every `reply`).
    return os.urandom(size)
