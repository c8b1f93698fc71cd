"""The office account as an end-to-end encrypted Matrix device (Olm/Megolm).

Why this library: matrix-nio's `Olm` machine is used sans-I/O — it builds and reads the
bodies, our own httpx client (`MatrixApi`) carries them — and since nio 0.26 it runs on
vodozemac, the Matrix.org Rust implementation of Olm and Megolm that Element's own crypto
stack uses. No ratchet is written here: this module only moves nio's request bodies over HTTP
and nio's answers back in. nio keeps its account, Olm sessions and room keys in an SQLite file
(pickled, encrypted with the pickle key) that `open`, `reply` and `close` share.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import peewee  # type: ignore[import-untyped]
import vodozemac
from nio import (  # type: ignore[import-untyped]
    EncryptionError,
    KeysClaimResponse,
    KeysQueryResponse,
    KeysUploadResponse,
    MegolmEvent,
    RoomKeyRequestResponse,
    ToDeviceEvent,
)
from nio.crypto import Olm  # type: ignore[import-untyped]
from nio.store import SqliteStore  # type: ignore[import-untyped]

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.matrix import crypto_store, events
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, MatrixApi, q
from sprechstunde_cli.providers.matrix.crypto_place import CryptoPlace
from sprechstunde_cli.providers.matrix.e2e_waiting import Waiting
from sprechstunde_cli.system.files import (
    create_private,
    private_dir,
    touch_private,
)

STORE_FILE = "crypto.db"
WAITING_FILE = "waiting.json"
KEY_FILE = "matrix-crypto.key"
MEGOLM = "m.megolm.v1.aes-sha2"


def pickle_key(key_dir: Path) -> str:
    """The secret nio encrypts its pickles with: made once, 0600, shared by every process."""
    path = key_dir / KEY_FILE
    if not path.exists():
        private_dir(key_dir)
        # Another process may make it first: then theirs is used.
        with contextlib.suppress(FileExistsError):
            create_private(path, base64.b64encode(secrets.token_bytes(32)))
    return path.read_text("ascii").strip()


def _bad_answer(what: str) -> http.HttpError:
    return http.ServerFailed(
        _("The Matrix homeserver's answer to {what} could not be read.").format(what=what),
        _("It is retried; if it persists, check the homeserver's version and log."),
        retryable=True,
    )


class OfficeDevice:
    """One device of the office account: keys uploaded, room keys received, messages
    decrypted and encrypted. Room keys that have not arrived yet are asked for once."""

    def __init__(
        self, api: MatrixApi, user_id: str, device_id: str, place: CryptoPlace, timer: Timer
    ) -> None:
        self.api = api
        self.timer = timer
        self.user_id = user_id
        self.device_id = device_id
        private_dir(place.folder)
        touch_private(place.folder / STORE_FILE)  # SQLite's journal copies the file's mode
        try:
            self.store = SqliteStore(
                user_id,
                device_id,
                str(place.folder),
                pickle_key=pickle_key(place.key_dir),
                database_name=STORE_FILE,
            )
            self.olm = Olm(user_id, device_id, self.store)
        except (
            vodozemac.PickleException,
            vodozemac.LibolmPickleException,
            peewee.PeeweeException,
            ValueError,
        ):
            raise ProviderError(
                _(
                    "The Matrix crypto store {store} cannot be read (damaged, or its key "
                    "{key_file} is not the one it was made with)."
                ).format(store=place.folder / STORE_FILE, key_file=place.key_dir / KEY_FILE),
                _(
                    "Restore both from the same backup. Or move the crypto store away: a new "
                    "device is made, and encrypted messages sent before cannot be read here."
                ),
            ) from None
        self._encrypted: dict[str, bool] = {}
        self._requested: set[str] = set()
        self.waiting = Waiting(place.folder / WAITING_FILE)  # events whose key has not come

    def identity_keys(self) -> dict[str, str]:
        """The device's public keys: `ed25519` (signing) and `curve25519` (Olm)."""
        keys = self.olm.account.identity_keys
        return {"ed25519": str(keys["ed25519"]), "curve25519": str(keys["curve25519"])}

    # --- keys -----------------------------------------------------------------------------

    def publish_keys(self) -> None:
        """Upload the device keys (first run) and top up the one-time keys."""
        if not self.olm.should_upload_keys:
            return
        body = self.api.call(
            "POST", f"{CLIENT}/keys/upload", _("the key upload"), json=self._share()
        )
        answer = KeysUploadResponse.from_dict(body)
        if not isinstance(answer, KeysUploadResponse):
            raise _bad_answer(_("the key upload"))
        self.olm.handle_response(answer)

    def _share(self) -> JSON:
        return cast(JSON, self.olm.share_keys())

    def absorb(self, sync: JSON) -> None:
        """What a /sync says to the device: key counts, changed devices, to-device messages
        (room keys, forwarded keys, key requests)."""
        counts = events.obj(sync.get("device_one_time_keys_count"))
        count = counts.get("signed_curve25519", 0)
        if isinstance(count, int) and not isinstance(count, bool):
            self.olm.uploaded_key_count = count
        changed = events.obj(sync.get("device_lists")).get("changed")
        if isinstance(changed, list):
            tracked = set(self.olm.tracked_users)
            self.olm.add_changed_users({u for u in changed if isinstance(u, str) and u in tracked})
        for raw in events.items(events.obj(sync.get("to_device")).get("events")):
            event = ToDeviceEvent.parse_event(raw)
            if event is not None:
                self.olm.handle_to_device_event(event)
        self.settle()

    def settle(self) -> None:
        self.publish_keys()
        self.query_keys()
        self._flush_to_device()

    def query_keys(self) -> None:
        if not self.olm.should_query_keys:
            return
        users = sorted(self.olm.users_for_key_query)
        body = self.api.call(
            "POST",
            f"{CLIENT}/keys/query",
            _("the key query"),
            json={"device_keys": {u: [] for u in users}, "timeout": 10000},
        )
        answer = KeysQueryResponse.from_dict(body)
        if not isinstance(answer, KeysQueryResponse):
            raise _bad_answer(_("the key query"))
        self.olm.handle_response(answer)
        self.olm.users_for_key_query.difference_update(users)

    def claim(self, missing: dict[str, list[str]]) -> None:
        if not missing:
            return
        wanted = {u: dict.fromkeys(devices, "signed_curve25519") for u, devices in missing.items()}
        body = self.api.call(
            "POST",
            f"{CLIENT}/keys/claim",
            _("the key claim"),
            json={"one_time_keys": wanted, "timeout": 10000},
        )
        answer = KeysClaimResponse.from_dict(body)
        if not isinstance(answer, KeysClaimResponse):
            raise _bad_answer(_("the key claim"))
        self.olm.handle_response(answer)

    def to_device(self, event_type: str, messages: JSON) -> None:
        txn = secrets.token_hex(16)
        path = f"{CLIENT}/sendToDevice/{q(event_type)}/{txn}"
        self.api.call("PUT", path, _("sending keys"), json={"messages": messages})

    def _flush_to_device(self) -> None:
        for message in list(self.olm.outgoing_to_device_messages):
            recipient = {message.recipient: {message.recipient_device: message.content}}
            self.to_device(message.type, cast(JSON, recipient))
            self.olm.outgoing_to_device_messages.remove(message)

    # --- rooms ----------------------------------------------------------------------------

    def note_state(self, room_id: str, state: Iterable[JSON]) -> None:
        """A room whose state (or timeline) shows `m.room.encryption` is encrypted from then."""
        if any(e.get("type") == "m.room.encryption" for e in state):
            self._encrypted[room_id] = True

    def is_encrypted(self, room_id: str) -> bool:
        if room_id not in self._encrypted:
            path = f"{CLIENT}/rooms/{q(room_id)}/state/m.room.encryption/"
            try:
                self.api.call("GET", path, _("the room's encryption"))
                self._encrypted[room_id] = True
            except http.NotFound:
                self._encrypted[room_id] = False
        return self._encrypted[room_id]

    # --- decrypting -----------------------------------------------------------------------

    def decrypt(self, room_id: str, raw: JSON) -> JSON | None:
        """The event as its sender wrote it, or None if its room key is not here (yet): then it
        waits, and its key is asked for once, from the sender's devices and our own."""
        event = MegolmEvent.from_dict(dict(raw))
        if not isinstance(event, MegolmEvent):
            return None
        event.room_id = room_id  # /sync leaves it out of timeline events; key requests name it
        try:
            clear = self.olm.decrypt_megolm_event(event, room_id)
        except EncryptionError:
            event_id = events.text(raw.get("event_id"))
            self.waiting.add(event_id, room_id, raw, self.timer.monotonic())
            self._ask_for_key(event, room_id)
            return None
        source = events.obj(getattr(clear, "source", None))
        if not events.text(source.get("type")) or not events.obj(source.get("content")):
            return None
        self.waiting.drop(events.text(raw.get("event_id")))
        return {**{k: raw[k] for k in ("event_id", "sender", "origin_server_ts") if k in raw}} | {
            "type": source["type"],
            "content": source["content"],
        }

    def recovered(self) -> list[tuple[str, JSON]]:
        """Events that were waiting for a key which has arrived since: (room id, clear event)."""
        found = []
        for room_id, raw in list(self.waiting.events.values()):
            session_id = events.text(events.obj(raw.get("content")).get("session_id"))
            sender_key = events.text(events.obj(raw.get("content")).get("sender_key"))
            if self.olm.inbound_group_store.get(room_id, sender_key, session_id) is None:
                continue
            clear = self.decrypt(room_id, raw)
            if clear is not None:
                found.append((room_id, clear))
        return found

    def overdue(self, wait: float) -> list[tuple[str, JSON]]:
        return self.waiting.overdue(self.timer.monotonic(), wait)

    def _ask_for_key(self, event: Any, room_id: str) -> None:
        session_id = events.text(event.session_id)
        if not session_id or session_id in self._requested:
            return
        self._requested.add(session_id)
        # nio (and so this device) matches a forwarded key to its request by the session id.
        request_id = session_id
        message = event.as_key_request(self.user_id, self.device_id, request_id)
        # To the sender's devices (Element answers for a device it shared with) and ours.
        for user in {event.sender, self.user_id}:
            self.to_device(message.type, {user: {"*": message.content}})
        self.olm.handle_response(RoomKeyRequestResponse(request_id, session_id, room_id, MEGOLM))

    # --- forgetting -----------------------------------------------------------------------

    def forget_room(self, room_id: str) -> None:
        """Destroy the room keys of a purged room, in memory and on disk, and what the store
        knows of the citizens' devices."""
        self.olm.outbound_group_sessions.pop(room_id, None)
        self.olm.inbound_group_store[room_id].clear()
        self.waiting.drop_room(room_id)
        crypto_store.delete_room_keys(self.store, room_id)
        crypto_store.delete_other_devices(self.store, self.user_id)
        self.olm.tracked_users.intersection_update({self.user_id})
        self.olm.device_store = self.store.load_device_keys()
        self.olm.session_store = self.store.load_sessions()

    def room_keys(self, room_id: str) -> int:
        """How many room keys of `room_id` the store still holds (the purge's check)."""
        return crypto_store.room_key_count(self.store, room_id)

    def close(self) -> None:
        self.store.database.close()
