"""Secure backup as Element sets it up for an account, on the real Synapse: cross-signing keys
uploaded (master, self-signing, user-signing) and the self-signing key kept in Secret Storage
under a recovery key — written from the Matrix spec (Secret Storage, aes-hmac-sha2; key
signing), with the `cryptography` library, so the tool's side is checked against the spec."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from tests.support.synapse import Account, Synapse, q

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def public(key: Ed25519PrivateKey) -> str:
    return b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def recovery_key_text(key: bytes) -> str:
    """The spec's encoding: 0x8B 0x01, the key, a parity byte; base58, groups of four."""
    raw = b"\x8b\x01" + key
    parity = 0
    for byte in raw:
        parity ^= byte
    raw += bytes([parity])
    number, digits = int.from_bytes(raw, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        digits = BASE58[rest] + digits
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _seal(secret: bytes, name: str, data: bytes) -> dict[str, str]:
    derived = HKDF(hashes.SHA256(), 64, b"\0" * 32, name.encode()).derive(secret)
    iv = bytearray(secrets.token_bytes(16))
    iv[8] &= 0x7F  # the spec clears bit 63, so the counter cannot wrap
    coder = Cipher(algorithms.AES(derived[:32]), modes.CTR(bytes(iv))).encryptor()
    ciphertext = coder.update(data) + coder.finalize()
    mac = hmac.new(derived[32:], ciphertext, hashlib.sha256).digest()
    return {"iv": b64(bytes(iv)), "ciphertext": b64(ciphertext), "mac": b64(mac)}


class SecureBackup:
    def __init__(self, server: Synapse, account: Account) -> None:
        self.server, self.account = server, account
        self.master = Ed25519PrivateKey.generate()
        self.self_signing = Ed25519PrivateKey.generate()
        self.user_signing = Ed25519PrivateKey.generate()
        self.recovery = secrets.token_bytes(32)

    @property
    def recovery_text(self) -> str:
        return recovery_key_text(self.recovery)

    def _call(self, client: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
        return client.request(method, f"/_matrix/client/v3{path}", json=body)

    def _signed_by_master(self, usage: str, key: Ed25519PrivateKey) -> dict[str, Any]:
        user = self.account.user_id
        body: dict[str, Any] = {
            "user_id": user,
            "usage": [usage],
            "keys": {f"ed25519:{public(key)}": public(key)},
        }
        signature = b64(self.master.sign(canonical(body)))
        body["signatures"] = {user: {f"ed25519:{public(self.master)}": signature}}
        return body

    def set_up(self) -> None:
        user = self.account.user_id
        upload = {
            "master_key": {
                "user_id": user,
                "usage": ["master"],
                "keys": {f"ed25519:{public(self.master)}": public(self.master)},
            },
            "self_signing_key": self._signed_by_master("self_signing", self.self_signing),
            "user_signing_key": self._signed_by_master("user_signing", self.user_signing),
        }
        headers = {"Authorization": f"Bearer {self.account.access_token}"}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=10) as client:
            answer = self._call(client, "POST", "/keys/device_signing/upload", upload)
            if answer.status_code == 401:  # user-interactive auth: the account's password
                upload["auth"] = {
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": user},
                    "password": self.account.password,
                    "session": answer.json().get("session"),
                }
                answer = self._call(client, "POST", "/keys/device_signing/upload", upload)
            answer.raise_for_status()
            key_id = secrets.token_hex(8)
            check = _seal(self.recovery, "", b"\0" * 32)
            description = {
                "algorithm": "m.secret_storage.v1.aes-hmac-sha2",
                "iv": check["iv"],
                "mac": check["mac"],
            }
            data = f"/user/{q(user)}/account_data/"
            for kind, body in (
                (f"m.secret_storage.key.{key_id}", description),
                ("m.secret_storage.default_key", {"key": key_id}),
                (
                    "m.cross_signing.self_signing",
                    {
                        "encrypted": {
                            key_id: _seal(
                                self.recovery,
                                "m.cross_signing.self_signing",
                                b64(self.seed()).encode(),
                            )
                        }
                    },
                ),
            ):
                self._call(client, "PUT", data + q(kind), body).raise_for_status()

    def seed(self) -> bytes:
        return self.self_signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def device_is_cross_signed(self, device_id: str) -> bool:
        """Synapse lists a signature of the self-signing key on the device, and it verifies."""
        user = self.account.user_id
        headers = {"Authorization": f"Bearer {self.account.access_token}"}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=10) as client:
            body = self._call(
                client, "POST", "/keys/query", {"device_keys": {user: [device_id]}}
            ).json()
        device = body["device_keys"][user][device_id]
        signature = (
            device.get("signatures", {}).get(user, {}).get(f"ed25519:{public(self.self_signing)}")
        )
        if signature is None:
            return False
        signed = {k: v for k, v in device.items() if k not in ("signatures", "unsigned")}
        verifier = Ed25519PublicKey.from_public_bytes(unb64(public(self.self_signing)))
        verifier.verify(unb64(signature), canonical(signed))  # raises if it does not
        return True
