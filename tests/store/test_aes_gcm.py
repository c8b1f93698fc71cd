"""The store's AES-GCM is cryptography's own, reached without its `ciphers` package."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sprechstunde_cli.store.crypto import aes_gcm


def test_the_class_is_the_one_cryptography_publishes() -> None:
    # store/crypto.py takes it from the Rust bindings that the public module re-exports; if a
    # release moves it there, this fails and the fallback (the public module) still works.
    assert aes_gcm() is AESGCM


def test_what_it_seals_the_public_class_opens() -> None:
    key, nonce = bytes(range(32)), bytes(12)
    sealed = aes_gcm()(key).encrypt(nonce, "Grüße aus Musterstadt".encode(), b"s1:body")
    assert AESGCM(key).decrypt(nonce, sealed, b"s1:body") == "Grüße aus Musterstadt".encode()
