"""Receiving from WAHA by polling, so nothing is lost between polls or across restarts.

The cursor is JSON: per chat (or "*" where the engine lists all chats at once) the highest
message timestamp handed out, the messages handed out within the last `overlap` seconds (by
their own key, `chats.message_key`: an engine may list one message under the person's @c.us
and later under their @lid id), and the @lid/@c.us aliases learned so far. Each poll asks
again from `high-water mark - overlap` (`filter.timestamp.gte` is inclusive and in whole
seconds), so a message that reaches WAHA late or shares a second with an earlier one is still
found, and the keys drop the repeats.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base.events import InboundMessage, InboundWithdrawal, MediaRef
from sprechstunde_cli.providers.http_errors import HttpError
from sprechstunde_cli.providers.waha.chats import is_person, message_key
from sprechstunde_cli.providers.waha.client import (
    NotFound,
    NotImplementedByEngine,
    WahaApi,
    path_part,
)
from sprechstunde_cli.providers.waha.cursor import Cursor
from sprechstunde_cli.providers.waha.kinds import is_revoked, other_kind
from sprechstunde_cli.providers.waha.listing import MAX_PAGES, Lister, _unreadable

OVERVIEW_PAGE = 50
ALL = "*"


class Poller(Lister):
    """One poll over WAHA's chats; turns new inbound messages into events. Listing a chat's
    messages page by page (`fetch`) is `Lister`'s, in `listing.py`."""

    def __init__(self, api: WahaApi, *, all_chats: bool, overlap: int) -> None:
        self.api = api
        self.all_chats = all_chats
        self.overlap = overlap
        self.lids_supported = True
        # Keys of messages the citizen revoked (chats.message_key: one key whether WAHA names
        # the person by @c.us or @lid), whichever told us first, the event stream or a listing:
        # a listing that still shows one must not bring its content back, and the revoke is
        # handed out once.
        self.revoked: set[str] = set()
        self._memo: dict[str, str] = {}  # aliases also outlive a cursor that did not change

    def known_aliases(self) -> list[tuple[str, str]]:
        """(id, chat) pairs learned in this process: every id under which a person appeared."""
        return sorted(self._memo.items())

    # --- one person, one chat --------------------------------------------------------------

    def canonical(self, cursor: Cursor, raw: str) -> str:
        """The one chat id for a person, whether WAHA shows them as @c.us or as @lid."""
        known = cursor.alias.get(raw) or self._memo.get(raw)
        if known:
            cursor.alias[raw] = known
            return known
        other = self.counterpart(raw)
        if other and (cursor.alias.get(other) or self._memo.get(other)):
            chosen = cursor.alias.get(other) or self._memo[other]
        elif raw.endswith("@c.us"):
            chosen = raw
        elif other and other.endswith("@c.us"):
            chosen = other
        else:
            chosen = raw  # an @lid whose number WAHA does not know (yet)
        for alias in (raw, other):
            if alias:
                cursor.alias[alias] = self._memo[alias] = chosen
        return chosen

    def counterpart(self, raw: str) -> str | None:
        """The same person's other id (@lid ↔ @c.us) where WAHA knows it."""
        if not self.lids_supported:
            return None
        if raw.endswith("@lid"):
            path, want = f"{self.prefix}/lids/{path_part(raw)}", "pn"
        else:
            path, want = f"{self.prefix}/lids/pn/{path_part(raw)}", "lid"
        try:
            data = self.api.request("GET", path, _("look up a contact's other id"))
        except NotImplementedByEngine:
            self.lids_supported = False
            return None
        except HttpError as err:
            if err.status not in (422, 501):
                raise
            # Engines without the lookup answer 422 or 501, not always in WAHA's wording: the
            # person stays under the id they wrote with (one thread per id), receiving goes on.
            self.lids_supported = False
            return None
        except NotFound:
            return None
        value = data.get(want) if isinstance(data, dict) else None
        return value if is_person(value) and value != raw else None

    # --- polling ---------------------------------------------------------------------------

    def poll(self, cursor: Cursor) -> list[InboundMessage | InboundWithdrawal]:
        """New inbound messages, oldest first; `cursor` is advanced in place."""
        found: list[tuple[int, int, InboundMessage | InboundWithdrawal]] = []
        targets = [(ALL, "all")] if self.all_chats else self._chats_to_poll(cursor)
        for key, chat_path in targets:
            since = cursor.hw.get(key)
            if since is not None:
                gte: int | None = since - self.overlap
            elif cursor.top is not None:
                gte = cursor.top - self.overlap  # a chat that appeared since the last poll
            else:
                gte = None  # no cursor: from the start
            messages = self.fetch(chat_path, gte, until_empty=self.all_chats)
            for message in messages:
                for event in self._take(cursor, key, message):
                    found.append((int(message["timestamp"]), len(found), event))
            self._prune(cursor, key)
        return [event for _, _, event in sorted(found, key=lambda item: item[:2])]

    def _chats_to_poll(self, cursor: Cursor) -> list[tuple[str, str]]:
        cutoff = min(cursor.hw.values()) - self.overlap if cursor.hw else None
        targets: list[tuple[str, str]] = []
        for offset in range(0, OVERVIEW_PAGE * MAX_PAGES, OVERVIEW_PAGE):
            page = self.api.request(
                "GET",
                f"{self.prefix}/chats/overview",
                _("list chats"),
                params={"limit": OVERVIEW_PAGE, "offset": offset},
            )
            if not isinstance(page, list):
                raise _unreadable("list chats")
            last_ts: int | None = None
            for summary in page:
                chat = summary.get("id") if isinstance(summary, dict) else None
                if not is_person(chat):
                    continue
                assert isinstance(chat, str)
                last = summary.get("lastMessage")
                ts = last.get("timestamp") if isinstance(last, dict) else None
                last_ts = int(ts) if isinstance(ts, (int, float)) else None
                key = self.canonical(cursor, chat)
                since = cursor.hw.get(key)
                floor = since if since is not None else cursor.top
                if floor is None or last_ts is None or last_ts >= floor - self.overlap:
                    targets.append((key, chat))
            # Sorted by last message, newest first: past the cutoff nothing is new.
            if len(page) < OVERVIEW_PAGE or (cutoff is not None and (last_ts or 0) < cutoff):
                break
        return targets

    def _take(
        self, cursor: Cursor, key: str, message: dict[str, Any]
    ) -> list[InboundMessage | InboundWithdrawal]:
        message_id, ts, sender = message.get("id"), message.get("timestamp"), message.get("from")
        if not isinstance(message_id, str) or not isinstance(ts, (int, float)):
            return []
        if message.get("fromMe") is True:
            return []
        own = message_key(message_id)  # one key under @c.us and @lid alike
        seen = cursor.seen.setdefault(key, {})
        if own in seen:
            # Taken in before, listed as revoked now (its event was missed, the socket down).
            return self._revoked_since(cursor, own, message, sender)
        seen[own] = int(ts)
        cursor.hw[key] = max(cursor.hw.get(key, int(ts)), int(ts))
        cursor.top = max(cursor.top if cursor.top is not None else int(ts), int(ts))
        if not is_person(sender):
            return []  # a group or status update on the service phone: not a citizen
        if own in self.revoked or is_revoked(message):
            return []  # withdrawn by the citizen before we took it in: nothing is kept
        assert isinstance(sender, str)
        chat = self.canonical(cursor, sender)
        return [self._event(message, sender, chat)]

    def _revoked_since(
        self, cursor: Cursor, own: str, message: dict[str, Any], sender: Any
    ) -> list[InboundMessage | InboundWithdrawal]:
        if own in self.revoked or not is_revoked(message) or not is_person(sender):
            return []
        self.revoked.add(own)
        at = datetime.fromtimestamp(float(message["timestamp"]), UTC)
        chat = self.canonical(cursor, str(sender))
        # Taken in under whichever id WAHA listed then: the store applies the one it has.
        ids = {str(message["id"]), *self.serialized(chat, str(sender), own)}
        return [InboundWithdrawal(target, chat, at) for target in sorted(ids)]

    def serialized(self, chat: str, sender: str, key: str) -> list[str]:
        """`false_{id}_{key}` for every id under which we know this person."""
        aliases = {sender, chat} | {alias for alias, of in self._memo.items() if of == chat}
        return [f"false_{alias}_{key}" for alias in sorted(aliases)]

    def _prune(self, cursor: Cursor, key: str) -> None:
        high = cursor.hw.get(key)
        if high is None:
            return
        cursor.seen[key] = {
            i: t for i, t in cursor.seen.get(key, {}).items() if t >= high - self.overlap
        }

    def _event(self, message: dict[str, Any], raw: str, chat: str) -> InboundMessage:
        message_id = str(message["id"])
        body = message.get("body")
        text = body if isinstance(body, str) else ""
        media_ref: MediaRef | None = None
        kind = MessageKind.TEXT
        shown_as = other_kind(message, text)
        if shown_as is not None:
            text, unshowable = shown_as
            return InboundMessage(
                provider_id=message_id,
                chat=chat,
                sender_name=sender_name(message),
                sent_at=datetime.fromtimestamp(float(message["timestamp"]), UTC),
                kind=MessageKind.TEXT,
                text=text,
                unshowable=unshowable,
            )
        if message.get("hasMedia") is True:
            media = self._media_of(raw, message_id)
            mime = str(media.get("mimetype") or "application/octet-stream")
            kind = kind_of(mime)
            name = media.get("filename")
            media_ref = MediaRef(
                ref=json.dumps({"chat": raw, "id": message_id}, separators=(",", ":")),
                mime=mime,
                size=None,
                filename=name if isinstance(name, str) else "",
            )
        return InboundMessage(
            provider_id=message_id,
            chat=chat,
            sender_name=sender_name(message),
            sent_at=datetime.fromtimestamp(float(message["timestamp"]), UTC),
            kind=kind,
            text=text,
            media=media_ref,
        )

    def _media_of(self, raw: str, message_id: str) -> dict[str, Any]:
        """The message again with its media fetched: WAHA names the type only then."""
        try:
            detail = self.api.request(
                "GET",
                f"{self.prefix}/chats/{path_part(raw)}/messages/{path_part(message_id)}",
                _("fetch a photo or voice note"),
                params={"downloadMedia": True},
            )
        except NotFound:
            return {}
        media = detail.get("media") if isinstance(detail, dict) else None
        return media if isinstance(media, dict) else {}


def kind_of(mime: str) -> MessageKind:
    if mime.startswith("image/"):
        return MessageKind.IMAGE
    if mime.startswith("audio/"):
        return MessageKind.VOICE
    return MessageKind.FILE


def sender_name(message: dict[str, Any]) -> str:
    """The name the citizen set, where the engine's raw data carries it (WAMessage does not)."""
    raw = message.get("_data")
    if not isinstance(raw, dict):
        return ""
    info = raw.get("Info")
    candidates = [
        raw.get("notifyName"),  # WEBJS, WPP
        raw.get("pushName"),  # NOWEB
        info.get("PushName") if isinstance(info, dict) else None,  # GOWS
    ]
    return next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), "")


def moment(payload: dict[str, Any]) -> datetime:
    """When WAHA says something happened (`timestamp`, seconds); the epoch if it says nothing."""
    ts = payload.get("timestamp")
    return datetime.fromtimestamp(float(ts) if isinstance(ts, int | float) else 0, UTC)
