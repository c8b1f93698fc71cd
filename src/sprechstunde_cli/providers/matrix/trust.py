"""Cross-signing the office's device with the account's recovery key, so citizens' apps show it
as the office's own session instead of an unverified one.

nio has no cross-signing, so this follows the Matrix spec's Secret Storage ("aes-hmac-sha2")
and key signing with the `cryptography` library's HKDF, AES-CTR, HMAC and Ed25519: no
primitive of our own. The recovery key opens the self-signing key stored (encrypted) in the
account's data on the homeserver; that key signs this device's keys, and the signature is
uploaded. Nothing of it is kept but the recovery key in the keyring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sprechstunde_cli.errors import AuthError, ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import ProviderContext
from sprechstunde_cli.providers.http import NotFound
from sprechstunde_cli.providers.matrix import events
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, MatrixApi, q
from sprechstunde_cli.providers.matrix.provider import create
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.system.credentials import Secret

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
PREFIX = b"\x8b\x01"
SSSS = "m.secret_storage.v1.aes-hmac-sha2"
SELF_SIGNING = "m.cross_signing.self_signing"


def _bad_key() -> AuthError:
    return AuthError(
        _("That is not a Matrix recovery key; nothing was stored."),
        _(
            "Type the recovery key as Element showed it (Settings → Security & Privacy → "
            "Secure Backup), 48 letters and digits in groups of four."
        ),
    )


def decode_recovery_key(text: str) -> bytes:
    """The 32-byte key from its base58 form: prefix 0x8B 0x01, the key, a parity byte."""
    number = 0
    for char in "".join(text.split()):
        if char not in BASE58:
            raise _bad_key()
        number = number * 58 + BASE58.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    parity = 0
    for byte in raw:
        parity ^= byte
    if len(raw) != 35 or not raw.startswith(PREFIX) or parity != 0:
        raise _bad_key()
    return raw[2:34]


def _unb64(value: Any) -> bytes:
    text = events.text(value)
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _keys(secret: bytes, name: str) -> tuple[bytes, bytes]:
    derived = HKDF(hashes.SHA256(), 64, b"\0" * 32, name.encode()).derive(secret)
    return derived[:32], derived[32:]


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    coder = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return coder.update(data) + coder.finalize()


def _open_secret(secret: bytes, name: str, sealed: JSON) -> bytes:
    aes, mac = _keys(secret, name)
    data = _unb64(sealed.get("ciphertext"))
    expected = hmac.new(mac, data, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _unb64(sealed.get("mac"))):
        raise _wrong_key()
    return _aes_ctr(aes, _unb64(sealed.get("iv")), data)


def _wrong_key() -> AuthError:
    return AuthError(
        _("The recovery key does not open this account's secure backup; nothing was stored."),
        _("Check that it is the recovery key of the office account, not of another account."),
    )


def _account_data(api: MatrixApi, user: str, kind: str) -> JSON:
    try:
        return api.call(
            "GET", f"{CLIENT}/user/{q(user)}/account_data/{q(kind)}", _("the account's keys")
        )
    except NotFound:
        raise ProviderError(
            _("The office's Matrix account has no secure backup with cross-signing keys."),
            _("Set up secure backup once in Element for the office account, then run this again."),
        ) from None


def self_signing_key(api: MatrixApi, user: str, recovery: bytes) -> Ed25519PrivateKey:
    """The account's self-signing key, opened from Secret Storage with the recovery key."""
    key_id = events.text(_account_data(api, user, "m.secret_storage.default_key").get("key"))
    described = _account_data(api, user, f"m.secret_storage.key.{key_id}")
    if described.get("algorithm") != SSSS:
        raise ProviderError(
            _("The account's secure backup uses a kind of key this tool does not know."),
            _("Verify the office's device from Element instead (Settings → Sessions → Verify)."),
        )
    aes, mac = _keys(recovery, "")
    check = hmac.new(mac, _aes_ctr(aes, _unb64(described.get("iv")), b"\0" * 32), "sha256")
    if not hmac.compare_digest(check.digest(), _unb64(described.get("mac"))):
        raise _wrong_key()
    stored = events.obj(_account_data(api, user, SELF_SIGNING).get("encrypted"))
    seed = _unb64(_open_secret(recovery, SELF_SIGNING, events.obj(stored.get(key_id))).decode())
    if len(seed) != 32:
        raise _wrong_key()
    return Ed25519PrivateKey.from_private_bytes(seed)


def canonical(value: Any) -> bytes:
    """The spec's canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def cross_sign(api: MatrixApi, user: str, device_id: str, recovery: bytes) -> None:
    """Sign this device's published keys with the account's self-signing key, and upload."""
    key = self_signing_key(api, user, recovery)
    public = _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    body = api.call(
        "POST",
        f"{CLIENT}/keys/query",
        _("the key check"),
        json={"device_keys": {user: [device_id]}},
    )
    published = events.obj(events.obj(events.obj(body.get("device_keys")).get(user)).get(device_id))
    ssk = events.obj(events.obj(body.get("self_signing_keys")).get(user))
    if f"ed25519:{public}" not in events.obj(ssk.get("keys")) or not published:
        raise ProviderError(
            _("The self-signing key in the secure backup is not the account's current one."),
            _("Reset cross-signing in Element for the office account, then run this again."),
        )
    signed = {k: v for k, v in published.items() if k not in ("signatures", "unsigned")}
    signature = _b64(key.sign(canonical(signed)))
    signed["signatures"] = {user: {f"ed25519:{public}": signature}}
    answer = api.call(
        "POST",
        f"{CLIENT}/keys/signatures/upload",
        _("the signature upload"),
        json={user: {device_id: signed}},
    )
    if events.obj(answer.get("failures")):
        raise ProviderError(
            _("The homeserver refused the office device's cross-signing signature."),
            _("Run it again; if it stays, verify the device from Element instead."),
        )


def cross_sign_device(settings: MatrixSettings, recovery: Secret, context: ProviderContext) -> None:
    """For `login matrix --recovery-key`: the device made (its keys uploaded) and cross-signed."""
    key = decode_recovery_key(recovery.reveal())
    with create(settings, context) as provider:
        provider.check_identity()
        device = provider.device
        assert device is not None  # create() always gives the provider a crypto store
        cross_sign(provider.api, settings.user_id, device.device_id, key)
