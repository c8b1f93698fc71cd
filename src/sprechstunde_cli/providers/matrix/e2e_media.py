"""Files in encrypted rooms: AES-CTR with a fresh key per file and its SHA-256, as the Matrix
spec's EncryptedFile describes; done by nio's `attachments` (pycryptodome), not by hand."""

from __future__ import annotations

from typing import Any

from nio.crypto.attachments import (  # type: ignore[import-untyped]
    decrypt_attachment,
    encrypt_attachment,
)
from nio.exceptions import EncryptionError  # type: ignore[import-untyped]

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.matrix import events


def seal(data: bytes) -> tuple[bytes, dict[str, Any]]:
    """The ciphertext to upload, and the EncryptedFile fields without its `url`."""
    ciphertext, keys = encrypt_attachment(data)
    return bytes(ciphertext), dict(keys)


def unseal(data: bytes, file: dict[str, Any]) -> bytes:
    """The citizen's file from its ciphertext; a wrong key or hash is refused, not shown."""
    key = events.text(events.obj(file.get("key")).get("k"))
    digest = events.text(events.obj(file.get("hashes")).get("sha256"))
    iv = events.text(file.get("iv"))
    try:
        return bytes(decrypt_attachment(data, key, digest, iv))
    except (EncryptionError, ValueError, TypeError):
        raise ProviderError(
            _(
                "An encrypted file from Matrix could not be decrypted (its key or checksum "
                "does not match)."
            ),
            _("Ask the citizen to send the file again."),
        ) from None
