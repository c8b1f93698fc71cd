"""Content sealed at rest opens only with its session's key, in its context, unaltered; anything
else is a StoreError that says what to do, never a bare cryptography exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.errors import StoreError
from sprechstunde_cli.store.crypto import SessionKeys

QUESTION = b"Wann wird der Spielplatz saniert?"


def test_what_is_sealed_opens_again(tmp_path: Path) -> None:
    keys = SessionKeys(tmp_path / "keys")
    blob = keys.seal("mittwoch", QUESTION, "body")
    assert QUESTION not in blob
    assert keys.unseal("mittwoch", blob, "body") == QUESTION
    # Another instance reads the same key file, as the next command does.
    assert SessionKeys(tmp_path / "keys").unseal("mittwoch", blob, "body") == QUESTION


@pytest.mark.parametrize(
    ("session", "context", "flip"),
    [
        ("mittwoch", "body", 20),  # one bit of the ciphertext altered
        ("mittwoch", "body", 3),  # one bit of the nonce altered
        ("mittwoch", "media.name", None),  # opened as another kind of content
        ("donnerstag", "body", None),  # opened as another session's (same key file copied)
    ],
)
def test_altered_or_misplaced_content_is_a_store_error_with_its_fix(
    tmp_path: Path, session: str, context: str, flip: int | None
) -> None:
    keys = SessionKeys(tmp_path / "keys")
    blob = bytearray(keys.seal("mittwoch", QUESTION, "body"))
    if flip is not None:
        blob[flip] ^= 0x01
    if session != "mittwoch":
        keys.path(session).write_bytes(keys.path("mittwoch").read_bytes())
    with pytest.raises(StoreError) as caught:
        keys.unseal(session, bytes(blob), context)
    assert "does not decrypt" in caught.value.message
    assert "purge the session" in caught.value.hint


def test_content_of_a_destroyed_key_stays_closed(tmp_path: Path) -> None:
    keys = SessionKeys(tmp_path / "keys")
    blob = keys.seal("mittwoch", QUESTION, "body")
    assert keys.unseal("mittwoch", blob, "body") == QUESTION  # the key is cached now
    assert keys.destroy("mittwoch")
    with pytest.raises(StoreError) as caught:
        keys.unseal("mittwoch", blob, "body")
    assert "is gone" in caught.value.message
    assert "receipt mittwoch" in caught.value.hint
