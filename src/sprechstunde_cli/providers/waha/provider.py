"""WhatsApp through WAHA, the self-hosted WhatsApp HTTP API that links the service phone.

Receiving polls WAHA with a cursor (`receive.py`); calls come only over WAHA's outbound
WebSocket (`events.py`), which also wakes a waiting poll. Sending is paced with a typing
indicator and only ever answers a chat that wrote first: WhatsApp bans numbers that behave
like bulk senders. Deleting reaches the office's side; the office's own replies are revoked
while WhatsApp still allows it. docs/waha.md says how to run WAHA and what the purge can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx

from sprechstunde_cli.domain.model import Timer
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.base import Closing, ProviderContext, Sent
from sprechstunde_cli.providers.waha.chats import raw_chat_of
from sprechstunde_cli.providers.waha.client import (
    WahaApi,
    path_part,
)
from sprechstunde_cli.providers.waha.events import EventSource, WebSocketEvents, ws_url
from sprechstunde_cli.providers.waha.send import Sender, message_id_for, sent_id
from sprechstunde_cli.providers.waha.settings import WahaSettings, capabilities_for
from sprechstunde_cli.system.clock import SYSTEM_TIMER

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base.deletion import DeleteOutcome
    from sprechstunde_cli.providers.base.events import Event, InboundCall, MediaRef, ReceiveBatch
    from sprechstunde_cli.providers.base.media import OutboundMedia
    from sprechstunde_cli.providers.waha.cursor import Cursor
    from sprechstunde_cli.providers.waha.delete import Deleter
    from sprechstunde_cli.providers.waha.receive import Poller

RECONNECT_AFTER_S = 5.0


DELIVERED = 2  # WAHA's ack DEVICE: the message reached the citizen's phone


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
        self.sender = Sender(self.api, settings.send_delay_seconds, pause or timer.sleep)
        self._timer = timer
        self._last_connect = -RECONNECT_AFTER_S
        self._calls: dict[str, tuple[str, str]] = {}  # our call id → (WAHA's from, call id)
        self._events_problem = ""  # why the event stream is down, "" while it is up
        self._told = ""  # the problem the operator was last told about
        # Pushed events (and revokes found in a listing) handed out with a cursor not yet seen
        # back: if the next receive starts from an older cursor, that batch was not stored and
        # they are handed out again.
        self._unacked: tuple[str, list[Event]] | None = None

    @property
    def prefix(self) -> str:
        return f"/api/{path_part(self.settings.session)}"

    # Receiving and deleting are built when first used: `show` and `reply` send a read receipt
    # or a text and load neither (startup). `cached_property` takes no lock, and needs none:
    # one thread at a time calls this provider. `open`'s loop receives, delivers and closes on
    # its own thread; the purge runs chats on `max_concurrent_requests` threads
    # (services/ratelimit.run_all), which WAHA keeps at 1 (settings.py), so on the caller's;
    # the event stream's thread only buffers envelopes (events.py). Allowing more would need a
    # lock for the Poller's state too (aliases, revoked keys), not only for building it.

    @cached_property
    def poller(self) -> Poller:
        from sprechstunde_cli.providers.waha.receive import Poller

        return Poller(
            self.api,
            all_chats="all_chats" in self.settings.features,
            overlap=self.settings.overlap_seconds,
        )

    @cached_property
    def deleter(self) -> Deleter:
        from sprechstunde_cli.providers.waha.delete import Deleter

        return Deleter(self.api, self.settings, self.poller)

    # --- receiving -------------------------------------------------------------------------

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        from sprechstunde_cli.providers.base.events import InboundWithdrawal, ReceiveBatch
        from sprechstunde_cli.providers.waha.cursor import Cursor

        state = Cursor.load(cursor)
        deadline = self._timer.monotonic() + wait
        self._connect_events()
        unacked, self._unacked = self._unacked, None
        again = unacked[1] if unacked is not None and unacked[0] != cursor else []
        while True:
            polled = self.poller.poll(state)
            messages = [e for e in polled if not isinstance(e, InboundWithdrawal)]
            # A revoke found in the listing is remembered in memory only, like a pushed one.
            listed = [e for e in polled if isinstance(e, InboundWithdrawal)]
            pushed: list[Event] = [*again, *listed, *self._take_pushed(state)]
            again = []
            # Messages first: a revoke or edit in the same batch follows its message.
            found: list[Event] = [*messages, *pushed]
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
            self.sender.wrote_first.add(event.chat)
        if pushed:
            state.pushed += 1
        # Nothing new: hand back the same cursor (learned aliases are kept in memory).
        unchanged = not found and cursor is not None
        next_cursor = cursor if unchanged and cursor else state.dump()
        if pushed:
            self._unacked = (next_cursor, pushed)
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

    def _take_pushed(self, state: Cursor) -> list[Event]:
        if self.events is None:
            return []
        from sprechstunde_cli.providers.waha.pushed import take  # only receiving

        return take(self.events.take(), self.settings.session, self.poller, state, self._calls)

    # --- sending ---------------------------------------------------------------------------

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        return self.sender.send_text(chat, text, key)

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        return self.sender.send_media(chat, media, caption, key)

    # --- media, read receipts, calls -------------------------------------------------------

    def download_media(self, media: MediaRef, max_bytes: int) -> bytes:
        from sprechstunde_cli.providers.waha.media import download  # only receiving

        return download(self.api, media, max_bytes)

    def mark_read(self, chat: str, provider_ids: Sequence[str]) -> None:
        by_chat: dict[str, list[str]] = {}
        for pid in provider_ids:
            by_chat.setdefault(raw_chat_of(pid) or chat, []).append(pid)
        for raw, ids in by_chat.items():
            body: dict[str, Any] = {"session": self.settings.session, "chatId": raw}
            if "seen_ids" in self.settings.features:
                body["messageIds"] = ids  # elsewhere WAHA marks the chat's unread messages
            self.api.request("POST", "/api/sendSeen", _("mark messages as read"), json=body)

    def reject_call(self, call: InboundCall) -> None:
        sender, call_id = self._calls.get(
            call.provider_id, (call.chat, call.provider_id.removeprefix("call:"))
        )
        self.api.request(
            "POST",
            f"{self.prefix}/calls/reject",
            _("reject a call"),
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

    def read_by_citizens(self, sent: Mapping[str, Sequence[str]]) -> frozenset[str]:
        """WhatsApp's ticks: a message of the office's listed with ack DEVICE (2, delivered to
        the citizen's phone) or beyond (READ, PLAYED) is on the phone."""
        wanted = {pid for ids in sent.values() for pid in ids}
        confirmed: set[str] = set()
        raws = {raw for raw in (raw_chat_of(pid) for pid in wanted) if raw is not None}
        for raw in sorted(raws):
            for message in self.poller.fetch(raw, None, until_empty=False):
                ack = message.get("ack")
                if message.get("id") in wanted and isinstance(ack, int) and ack >= DELIVERED:
                    confirmed.add(str(message["id"]))
        return frozenset(confirmed)

    def announce(self, text: str, key: str) -> Sent:
        wa_id = message_id_for(key)
        body = {
            "id": wa_id,
            "text": text,
            "backgroundColor": "#38b42f",
            "font": 0,
            "linkPreview": False,
        }
        result = self.api.request(
            "POST", f"{self.prefix}/status/text", _("post a status"), json=body
        )
        return Sent(sent_id(result) or f"true_status@broadcast_{wa_id}")

    def check(self) -> tuple[str, ...]:
        from sprechstunde_cli.providers.waha.checks import run_checks  # only `check`, `open`

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
    client = http.make_client(
        settings.base_url,
        headers={"X-Api-Key": api_key, "Accept": "application/json"},
        timeout=settings.timeout_seconds,
        transport=transport,
    )
    events = WebSocketEvents(ws_url(settings.base_url, api_key, settings.session))
    return WahaProvider(client, settings, events=events, timer=timer, pause=pause)


def create(settings: WahaSettings, context: ProviderContext) -> WahaProvider:
    """Factory for the registry: validated settings plus the key from `sprechstunde login waha`."""
    return build(
        settings, context.token().reveal(), transport=context.transport, timer=context.timer
    )
