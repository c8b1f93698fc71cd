"""The office's Matrix account as a Provider: /sync long-poll in, idempotent sends out.

A thread is a room: a citizen opens a direct chat with the office account, the provider joins
it on the invite, and the room id is the chat address from then on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.base import Closing, ProviderContext, Sent, foreign_reference
from sprechstunde_cli.providers.matrix import admin, events, receipts
from sprechstunde_cli.providers.matrix.client import CLIENT, JSON, MatrixApi, http_client, q
from sprechstunde_cli.providers.matrix.crypto_place import CryptoPlace
from sprechstunde_cli.providers.matrix.receive import TIMELINE_LIMIT, Receiver
from sprechstunde_cli.providers.matrix.rooms import Rooms
from sprechstunde_cli.providers.matrix.settings import MatrixSettings, capabilities_for
from sprechstunde_cli.system.clock import SYSTEM_TIMER

# matrix-nio (crypto.py, e2e_*.py) takes hundreds of milliseconds to import: it is loaded where
# the device starts or an encrypted body or file is handled, never for a read receipt. So are
# the other parts only one path needs (an upload, a file's size check, a delete's outcome, the
# setup checks): the imports inside the methods below are these.
if TYPE_CHECKING:
    from sprechstunde_cli.providers.base.deletion import DeleteOutcome
    from sprechstunde_cli.providers.base.events import InboundCall, MediaRef, ReceiveBatch
    from sprechstunde_cli.providers.base.media import OutboundMedia
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice


class MatrixProvider(Closing):
    name = "matrix"

    def __init__(
        self,
        settings: MatrixSettings,
        api: MatrixApi,
        *,
        timeline_limit: int = TIMELINE_LIMIT,
        timer: Timer = SYSTEM_TIMER,
        crypto: CryptoPlace | None = None,
    ) -> None:
        self.settings = settings
        self.api = api
        self.capabilities = capabilities_for(settings)
        self.timer = timer
        self.rooms = Rooms(api, settings.user_id, timer)
        self.receiver = Receiver(api, self.rooms, settings.user_id, timer, timeline_limit)
        self.receiver.unreadable_after = settings.unreadable_after
        self._checked_identity = False
        self._receipt_asks = 0
        self.crypto = crypto  # None: no end-to-end encryption (encrypted rooms show notes)
        self.device: OfficeDevice | None = None

    # --- receiving ------------------------------------------------------------------------

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        self._ensure_identity()
        return self.receiver.receive(cursor, wait)

    def check_identity(self) -> None:
        """The token's account checked, and the encrypted device started (keys uploaded)."""
        self._ensure_identity()

    def _ensure_identity(self) -> None:
        if self._checked_identity:
            return
        who = self.api.call("GET", f"{CLIENT}/account/whoami", _("the account check"))
        if who.get("user_id") != self.settings.user_id:
            # Our own messages would otherwise come back as a citizen's.
            raise ProviderError(
                _("The Matrix token belongs to another account than providers.matrix.user_id."),
                _("Log in as the configured account (sprechstunde login matrix), or fix user_id."),
            )
        self._checked_identity = True
        if self.crypto is not None and self.device is None:
            self._start_device(events.text(who.get("device_id")))
        if self.settings.broadcast_room is not None:
            # Staff posts in the broadcast room are not citizens' messages.
            self.rooms.resolve_broadcast(self.settings.broadcast_room)

    def _start_device(self, device_id: str) -> None:
        if not device_id:
            raise ProviderError(
                _("The Matrix token has no device, so encrypted chats cannot be read."),
                _("Log in again with sprechstunde login matrix (a token from a login has one)."),
            )
        from sprechstunde_cli.providers.matrix.crypto import OfficeDevice

        self.device = OfficeDevice(
            self.api, self.settings.user_id, device_id, self.crypto_place, self.timer
        )
        self.device.publish_keys()
        self.receiver.device = self.device

    @property
    def crypto_place(self) -> CryptoPlace:
        assert self.crypto is not None
        return self.crypto

    def _encrypting(self, room_id: str) -> OfficeDevice | None:
        """The device if `room_id` is end-to-end encrypted (and we can encrypt), else None."""
        if self.crypto is None:
            return None
        self._ensure_identity()
        if self.device is not None and self.device.is_encrypted(room_id):
            return self.device
        return None

    # --- sending --------------------------------------------------------------------------

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return self._send(chat, "m.room.message", {"msgtype": "m.text", "body": text}, key)

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        from sprechstunde_cli.providers.matrix.upload import media_content

        # Whether the room is encrypted is asked only once the file passed its checks.
        content = media_content(self.api, media, caption, lambda: self._encrypting(chat))
        return self._send(chat, "m.room.message", content, key)

    def _send(self, room_id: str, event_type: str, content: JSON, key: str) -> Sent:
        # The outbox key is the transaction id: the server answers a retry with the first
        # event instead of sending a second one (per access token, i.e. per device).
        device = self._encrypting(room_id)
        if device is not None:
            from sprechstunde_cli.providers.matrix import e2e_send

            content = e2e_send.encrypt(device, room_id, event_type, content)
            event_type = "m.room.encrypted"
        path = f"{CLIENT}/rooms/{q(room_id)}/send/{q(event_type)}/{q(key)}"
        body = self.api.call("PUT", path, _("the send"), json=content)
        event_id = events.text(body.get("event_id"))
        if not event_id:
            raise http.ServerFailed(
                _("The Matrix homeserver's send answer has no event_id."),
                _("It is retried with the same transaction id, so it cannot double."),
                retryable=True,
            )
        return Sent(event_id)

    # --- media, receipts, calls -----------------------------------------------------------

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        from sprechstunde_cli.providers.base.media import media_too_large
        from sprechstunde_cli.providers.matrix import e2e_media

        if media.size is not None and media.size > max_bytes:
            raise media_too_large(max_bytes, media.size)
        handle = events.MediaHandle.unpack(media.ref)
        if handle is None or events.split_mxc(handle.mxc) is None:
            raise foreign_reference(_("file reference"))
        # The file outlives a redaction on the server: we honour the redaction ourselves.
        event = self.rooms.event(handle.room_id, handle.event_id)
        if event is not None and event.get("type") == "m.room.encrypted":
            self._ensure_identity()
            event = self.device.decrypt(handle.room_id, event) if self.device else None
        content = events.obj(event.get("content")) if event else {}
        file = events.obj(content.get("file"))
        if handle.mxc not in (content.get("url"), file.get("url")):
            raise ProviderError(
                _("The file was deleted on the Matrix homeserver."),
                _("Ask the citizen to send it again."),
            )
        data = self.rooms.download(handle.mxc, max_bytes)
        return e2e_media.unseal(data, file) if file else data

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        if provider_ids:  # receipts are cumulative: the newest one covers the rest
            path = f"{CLIENT}/rooms/{q(chat)}/receipt/m.read/{q(provider_ids[-1])}"
            self.api.call("POST", path, _("the read receipt"), json={})

    def reject_call(self, call: InboundCall) -> None:
        event = self.rooms.event(call.chat, call.provider_id)
        content = events.obj(event.get("content")) if event else {}
        call_id = events.text(content.get("call_id"))
        if not call_id:
            return  # the call is gone (redacted or purged): nothing rings any more
        party = self.settings.device_id or "sprechstunde"
        if content.get("version") in (0, "0"):
            # Version 0 of VoIP has no reject: a hangup before answering declines the call.
            event_type, reply = "m.call.hangup", {"call_id": call_id, "version": 0}
        else:
            event_type = "m.call.reject"
            reply = {"call_id": call_id, "version": "1", "party_id": party}
        self._send(call.chat, event_type, reply, f"reject.{call.provider_id}")

    # --- deletion -------------------------------------------------------------------------

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        return self.rooms.redact(chat, provider_ids)

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        if not self.rooms.is_joined(chat):
            # Left and forgotten (or purged): the office's side shows nothing of the room. The
            # server may still answer for single events, which `delete_messages` redacted.
            return frozenset()
        left = set()
        for event_id in provider_ids:
            event = self.rooms.event(chat, event_id)
            if event is not None and events.obj(event.get("content")):
                left.add(event_id)
        return frozenset(left)

    def delete_chat(self, chat: str) -> DeleteOutcome:
        # Only the purge deletes: what it returns is imported with it (the block above).
        from sprechstunde_cli.providers.base.deletion import DeleteOutcome

        if self.settings.server_admin:
            admin.purge_room(self.api, chat, self.timer)
        else:
            self.rooms.leave_and_forget(chat)
        self._forget_keys(chat)
        return DeleteOutcome(requested=1, confirmed=1)

    def _forget_keys(self, chat: str) -> None:
        """The room's keys destroyed in the crypto store, and checked gone: a key left would
        still open a copy of the chat, so the purge must not count the room as deleted."""
        if self.crypto is None:
            return
        self._ensure_identity()
        if self.device is None:
            return
        self.device.forget_room(chat)
        if self.device.room_keys(chat):
            raise ProviderError(
                _("A room key of a Matrix chat is still in the crypto store after deleting it."),
                _("Check that the data folder can be written, then run the purge again."),
            )

    # --- announcements and setup ----------------------------------------------------------

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        """The citizens' clients send read receipts (m.receipt); one filtered initial sync
        hands out the current ones of the rooms asked about."""
        if not sent:
            return frozenset()
        # Synapse answers an identical /sync from a cache for a while (its
        # sync_response_cache_duration, 2 minutes by default): a timeout of a few ms that
        # differs on each ask makes it a new request, so a fresh receipt is seen at once.
        self._receipt_asks += 1
        params: dict[str, str | int] = {
            "filter": receipts.receipts_filter(sorted(sent)),
            "timeout": self._receipt_asks % 50,
        }
        body = self.api.call("GET", f"{CLIENT}/sync", _("the read receipts"), params=params)
        wanted = {event_id for ids in sent.values() for event_id in ids}
        return frozenset(receipts.read_events(body, self.settings.user_id) & wanted)

    def announce(self, text: str, key: str) -> Sent:
        room = self.settings.broadcast_room
        if room is None:
            raise ProviderError(
                _("No Matrix broadcast room is configured for announcements."),
                _("Set providers.matrix.broadcast_room to the room's id or #alias."),
            )
        room_id = self.rooms.resolve_broadcast(room)
        return self._send(room_id, "m.room.message", {"msgtype": "m.text", "body": text}, key)

    def check(self) -> tuple[str, ...]:
        self._checked_identity = False
        self._ensure_identity()
        warnings = list(admin.setup_warnings(self.api, self.settings.homeserver))
        if self.settings.server_admin:
            warnings += admin.check_admin(self.api, self.settings.user_id)
        else:
            warnings.append(
                _(
                    "Purge only redacts: message bodies stay on the homeserver up to its "
                    "redaction_retention_period, files stay in its media store (see "
                    "docs/matrix.md)."
                )
            )
        if self.settings.broadcast_room is not None:
            warnings += self.rooms.broadcast_warnings(self.settings.broadcast_room)
        if self.device is not None:
            from sprechstunde_cli.providers.matrix import e2e_check

            warnings += e2e_check.crypto_warnings(self.device)
        return tuple(warnings)

    def close(self) -> None:
        if self.device is not None:
            self.device.close()
        self.api.http.close()


def create(settings: MatrixSettings, context: ProviderContext) -> MatrixProvider:
    """Factory for the registry: the office's account, with the token from the keyring."""
    client = http_client(settings.homeserver, context.token(), context.transport)
    crypto = CryptoPlace(context.paths.data_dir / "matrix-crypto", context.paths.key_dir)
    return MatrixProvider(settings, MatrixApi(client), timer=context.timer, crypto=crypto)
