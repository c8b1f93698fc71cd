"""WhatsApp through WAHA, the self-hosted WhatsApp HTTP API that links the service phone.

Receiving polls WAHA with a cursor (`receive.py`); calls come only over WAHA's outbound
WebSocket (`events.py`), which also wakes a waiting poll. Sending is paced with a typing
indicator and only ever answers a chat that wrote first: WhatsApp bans numbers that behave
like bulk senders. Deleting reaches the office's side; the office's own replies are revoked
while WhatsApp still allows it. docs/waha.md says how to run WAHA and what the purge can reach.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.model import MessageKind, Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import (
    Closing,
    DeleteOutcome,
    Event,
    InboundCall,
    MediaRef,
    OutboundMedia,
    ProviderContext,
    ReceiveBatch,
    Sent,
)
from sprechstunde_cli.providers.waha.checks import run_checks
from sprechstunde_cli.providers.waha.client import (
    NotImplementedByEngine,
    WahaApi,
    path_part,
)
from sprechstunde_cli.providers.waha.delete import Deleter
from sprechstunde_cli.providers.waha.events import EventSource, WebSocketEvents, ws_url
from sprechstunde_cli.providers.waha.media import download
from sprechstunde_cli.providers.waha.receive import Cursor, Poller, is_person, raw_chat_of
from sprechstunde_cli.providers.waha.settings import WahaSettings, capabilities_for
from sprechstunde_cli.system.clock import SYSTEM_TIMER

RECONNECT_AFTER_S = 5.0
_SEND_PATHS = {
    MessageKind.IMAGE: ("/api/sendImage", "send a photo"),
    MessageKind.VOICE: ("/api/sendVoice", "send a voice note"),
    MessageKind.FILE: ("/api/sendFile", "send a file"),
}
VOICE_MIME = "audio/ogg; codecs=opus"  # what WhatsApp plays as a voice note


def message_id_for(key: str) -> str:
    """A WhatsApp-style message id derived from the outbox key, the same on every retry."""
    return "3EB0" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16].upper()


def sent_id(result: Any) -> str | None:
    """The full message id from a send's answer; its shape depends on the engine."""
    if not isinstance(result, dict):
        return None
    rid = result.get("id")
    if isinstance(rid, str) and rid:
        return rid  # WAMessage (sendText on every engine, GOWS media)
    if isinstance(rid, dict) and isinstance(rid.get("_serialized"), str):
        return str(rid["_serialized"])  # whatsapp-web.js Message (WEBJS, WPP)
    key = result.get("key")
    if isinstance(key, dict) and isinstance(key.get("id"), str):
        remote = str(key.get("remoteJid", "")).replace("@s.whatsapp.net", "@c.us")
        if is_person(remote):  # Baileys WebMessageInfo (NOWEB)
            return f"{'false' if key.get('fromMe') is False else 'true'}_{remote}_{key['id']}"
    return None


class WahaProvider(Closing):
    name = "waha"

    def __init__(
        self,
        client: httpx.Client,
        settings: WahaSettings,
        *,
        events: EventSource | None = None,
        timer: Timer = SYSTEM_TIMER,
        pause: Callable[[float], None] | None = None,
    ) -> None:
        """`pause` takes the typing delay before each send (default: the timer's sleep)."""
        self.settings = settings
        self.capabilities = capabilities_for(settings)
        self.client = client
        self.api = WahaApi(client, settings.session, settings.engine)
        self.events = events if settings.websocket else None
        self.poller = Poller(
            self.api,
            all_chats="all_chats" in settings.features,
            overlap=settings.overlap_seconds,
        )
        self.deleter = Deleter(self.api, settings)
        self._timer = timer
        self._pause = pause or timer.sleep
        self._last_connect = -RECONNECT_AFTER_S
        self._wrote_first: set[str] = set()  # chats seen writing or calling in this process
        self._calls: dict[str, tuple[str, str]] = {}  # our call id → (WAHA's from, call id)
        self._events_problem = ""  # why the event stream is down, "" while it is up
        self._told = ""  # the problem the operator was last told about

    @property
    def prefix(self) -> str:
        return f"/api/{path_part(self.settings.session)}"

    # --- receiving -------------------------------------------------------------------------

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        state = Cursor.load(cursor)
        deadline = self._timer.monotonic() + wait
        self._connect_events()
        while True:
            found: list[Event] = [*self.poller.poll(state), *self._take_calls(state)]
            left = deadline - self._timer.monotonic()
            if found or left <= 0:
                break
            step = min(self.settings.poll_interval_seconds, left)
            if self.events is not None and self.events.alive:
                self.events.wait(step)  # a message event rings early
            else:
                self._timer.sleep(step)
                self._connect_events()
        for event in found:
            self._wrote_first.add(event.chat)
        # Nothing new: hand back the same cursor (learned aliases are kept in memory).
        unchanged = not found and cursor is not None
        next_cursor = cursor if unchanged and cursor else state.dump()
        return ReceiveBatch(tuple(found), next_cursor, self._news())

    def _connect_events(self) -> None:
        if self.events is None or self.events.alive:
            return
        now = self._timer.monotonic()
        if now - self._last_connect < RECONNECT_AFTER_S:
            return
        self._last_connect = now
        try:
            self.events.open()
            self._events_problem = ""
        except ProviderError as err:
            # Messages still arrive by polling; only calls go unseen until the stream is back.
            self._events_problem = err.message

    def _news(self) -> tuple[str, ...]:
        """What the operator should hear about the event stream: once when it goes down (or
        fails differently), once when it is back."""
        if self._events_problem == self._told:
            return ()
        self._told = self._events_problem
        if self._events_problem:
            return (
                "Calls are not seen (nor refused) while WAHA's event stream is down: "
                f"{self._events_problem} Messages still arrive.",
            )
        return ("WAHA's event stream is back: calls are seen and refused again.",)

    def _take_calls(self, state: Cursor) -> list[InboundCall]:
        if self.events is None:
            return []
        calls: list[InboundCall] = []
        for envelope in self.events.take():
            payload = envelope.get("payload")
            if envelope.get("session") != self.settings.session or not isinstance(payload, dict):
                continue
            sender, call_id = payload.get("from"), payload.get("id")
            if not is_person(sender) or not isinstance(call_id, str) or payload.get("isGroup"):
                continue
            assert isinstance(sender, str)
            ts = payload.get("timestamp")
            provider_id = f"call:{call_id}"
            self._calls[provider_id] = (sender, call_id)
            calls.append(
                InboundCall(
                    provider_id=provider_id,
                    chat=self.poller.canonical(state, sender),
                    sender_name="",
                    at=datetime.fromtimestamp(float(ts) if isinstance(ts, int | float) else 0, UTC),
                    video=payload.get("isVideo") is True,
                )
            )
        return calls

    # --- sending ---------------------------------------------------------------------------

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self._guard(chat)
        wa_id = message_id_for(key)
        earlier = self._own_message(chat, wa_id)
        if earlier:
            return Sent(earlier)  # a retry after a crash: WAHA already has it
        body = {
            "session": self.settings.session,
            "chatId": chat,
            "text": text,
            "id": wa_id,
            "linkPreview": False,  # a preview would make WAHA fetch the link
        }
        result = self._paced(chat, "/api/sendText", "send a text", body)
        return Sent(sent_id(result) or f"true_{chat}_{wa_id}")

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        self._guard(chat)
        path, what = _SEND_PATHS[media.kind]
        data = base64.b64encode(media.data).decode("ascii")
        body: dict[str, Any] = {"session": self.settings.session, "chatId": chat}
        if media.kind is MessageKind.VOICE:
            ogg = media.mime.split(";")[0].strip() in ("audio/ogg", "audio/opus")
            body["file"] = {"mimetype": VOICE_MIME, "filename": "voice.ogg", "data": data}
            body["convert"] = not ogg  # WAHA's ffmpeg makes OGG/Opus of anything else
        else:
            body["file"] = {"mimetype": media.mime, "data": data}
            if caption:
                body["caption"] = caption
        result = self._paced(chat, path, what, body)
        provider_id = sent_id(result) or self._latest_own(chat)
        if media.kind is MessageKind.VOICE and caption:
            self.send_text(chat, caption, keys.caption(key))  # voice notes carry no caption
        return Sent(provider_id)

    def _paced(self, chat: str, path: str, what: str, body: Mapping[str, Any]) -> Any:
        """Typing, a pause, then the send: what WAHA's docs advise against looking like a bot."""
        self._typing("/api/startTyping", chat)
        self._pause(self.settings.send_delay_seconds)
        self._typing("/api/stopTyping", chat)
        return self.api.request("POST", path, what, json=body)

    def _typing(self, path: str, chat: str) -> None:
        try:
            body = {"session": self.settings.session, "chatId": chat}
            self.api.request("POST", path, "show typing", json=body)
        except NotImplementedByEngine:
            pass  # typing is a courtesy, not a reason to hold a reply back

    def _guard(self, chat: str) -> None:
        """Never write first: only chats that wrote to the service phone get a message."""
        if chat in self._wrote_first:
            return
        if not is_person(chat):
            raise ProviderError(
                "WAHA sends only to one-to-one chats (…@c.us or …@lid).",
                "Reply within a thread; sprechstunde never writes to groups or channels.",
            )
        found = self.api.lookup(
            f"{self.prefix}/chats/{path_part(chat)}/messages",
            "check that the citizen wrote first",
            params={"limit": 1, "filter.fromMe": False, "downloadMedia": False},
        )
        if isinstance(found, list) and found:
            self._wrote_first.add(chat)
            return
        raise ProviderError(
            "Refusing to write first to a WhatsApp chat that never wrote to the service phone.",
            "sprechstunde only answers citizens; WhatsApp bans numbers that message strangers.",
        )

    def _own_message(self, chat: str, wa_id: str) -> str | None:
        full = f"true_{chat}_{wa_id}"
        found = self.api.lookup(
            f"{self.prefix}/chats/{path_part(chat)}/messages/{path_part(full)}",
            "look for an earlier send",
            params={"downloadMedia": False},
        )
        return found["id"] if isinstance(found, dict) and found.get("id") == full else None

    def _latest_own(self, chat: str) -> str:
        found = self.api.lookup(
            f"{self.prefix}/chats/{path_part(chat)}/messages",
            "find the message just sent",
            params={"limit": 1, "sortOrder": "desc", "filter.fromMe": True, "downloadMedia": False},
        )
        if isinstance(found, list) and found and isinstance(found[0].get("id"), str):
            return str(found[0]["id"])
        return ""

    # --- media, read receipts, calls -------------------------------------------------------

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        return download(self.api, media, max_bytes)

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        by_chat: dict[str, list[str]] = {}
        for pid in provider_ids:
            by_chat.setdefault(raw_chat_of(pid) or chat, []).append(pid)
        for raw, ids in by_chat.items():
            body: dict[str, Any] = {"session": self.settings.session, "chatId": raw}
            if "seen_ids" in self.settings.features:
                body["messageIds"] = ids  # elsewhere WAHA marks the chat's unread messages
            self.api.request("POST", "/api/sendSeen", "mark messages as read", json=body)

    def reject_call(self, call: InboundCall) -> None:
        sender, call_id = self._calls.get(
            call.provider_id, (call.chat, call.provider_id.removeprefix("call:"))
        )
        self.api.request(
            "POST",
            f"{self.prefix}/calls/reject",
            "reject a call",
            json={"from": sender, "id": call_id},
        )

    # --- deleting --------------------------------------------------------------------------

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        """Citizens' messages: deleted for the office. Own replies: revoked while allowed."""
        return self.deleter.delete_messages(chat, provider_ids)

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        return self.deleter.remaining(chat, provider_ids)

    def delete_chat(self, chat: str) -> DeleteOutcome:
        """Delete the chat (and, on WEBJS, clear it first) for every id the person has."""
        return self.deleter.delete_chat(chat, self.poller.known_aliases())

    # --- announcing, checking --------------------------------------------------------------

    def announce(self, text: str, key: str) -> Sent:
        wa_id = message_id_for(key)
        body = {
            "id": wa_id,
            "text": text,
            "backgroundColor": "#38b42f",
            "font": 0,
            "linkPreview": False,
        }
        result = self.api.request("POST", f"{self.prefix}/status/text", "post a status", json=body)
        return Sent(sent_id(result) or f"true_status@broadcast_{wa_id}")

    def check(self) -> tuple[str, ...]:
        warnings = run_checks(self.api, self.settings)
        if self.events is not None and not self.events.alive:
            try:
                self.events.open()
            except ProviderError as err:
                warnings += (f"{err.message} Calls will be neither seen nor refused.",)
        return warnings

    def close(self) -> None:
        if self.events is not None:
            self.events.close()
        self.client.close()


def build(
    settings: WahaSettings,
    api_key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timer: Timer = SYSTEM_TIMER,
    pause: Callable[[float], None] | None = None,
) -> WahaProvider:
    """A provider with its HTTP client and event stream; tests pass a fake `transport`."""
    client = httpx.Client(
        base_url=settings.base_url,
        headers={"X-Api-Key": api_key, "Accept": "application/json"},
        timeout=settings.timeout_seconds,
        transport=transport,
        follow_redirects=False,  # a redirect would carry the key elsewhere
    )
    events = WebSocketEvents(ws_url(settings.base_url, api_key, settings.session))
    return WahaProvider(client, settings, events=events, timer=timer, pause=pause)


def create(settings: WahaSettings, context: ProviderContext) -> WahaProvider:
    """Factory for the registry: validated settings plus the key from `sprechstunde login waha`."""
    return build(
        settings, context.token().reveal(), transport=context.transport, timer=context.timer
    )
