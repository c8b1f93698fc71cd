"""Files in encrypted rooms: what the office seals a citizen's app opens (nio's own decrypt),
and a file whose bytes or hash do not match is refused with a fix, never shown."""

from __future__ import annotations

import pytest
from nio.crypto.attachments import decrypt_attachment, encrypt_attachment

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.matrix.e2e_media import seal, unseal
from tests.support.contract import PNG


def test_a_sealed_file_opens_with_its_key_and_hash() -> None:
    data, file = seal(PNG)
    assert data != PNG and PNG not in data
    assert decrypt_attachment(data, file["key"]["k"], file["hashes"]["sha256"], file["iv"]) == PNG
    ciphertext, keys = encrypt_attachment(PNG)  # as a citizen's app seals it
    assert unseal(ciphertext, keys) == PNG


def test_a_changed_file_or_a_missing_key_is_refused() -> None:
    data, file = seal(PNG)
    changed = bytes([data[0] ^ 1]) + data[1:]
    for bad_data, bad_file in ((changed, file), (data, {**file, "key": {}}), (data, {})):
        with pytest.raises(ProviderError) as caught:
            unseal(bad_data, bad_file)
        assert "send the file again" in caught.value.hint
