"""Matrix events (JSON from /sync and /messages) → the provider's InboundMessage/InboundCall.

Pure functions: everything here is citizen-controlled JSON, so every field is type-checked
and anything unexpected is skipped rather than trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.domain.places import labelled, location
from sprechstunde_cli.providers.base.events import (
    Event,
    InboundCall,
    InboundEdit,
    InboundLeft,
    InboundMessage,
    InboundWithdrawal,
    MediaRef,
)

# What the office needs from a room's timeline; m.room.create marks where history begins.
TIMELINE_TYPES = (
    "m.room.message",
    "m.room.redaction",
    "m.room.encrypted",
    "m.call.invite",
    "m.room.member",
    "m.room.create",
    "m.sticker",
    "m.poll.start",
    "org.matrix.msc3381.poll.start",
    "m.room.encryption",  # a chat that turns encrypted: from then on the office encrypts too
)
POLLS = frozenset({"m.poll.start", "org.matrix.msc3381.poll.start"})
MEDIA_KINDS = {
    "m.image": MessageKind.IMAGE,
    "m.audio": MessageKind.VOICE,
    "m.file": MessageKind.FILE,
    "m.video": MessageKind.FILE,
}
# An encrypted event the office cannot decrypt (yet: its room key is asked for, and the note
# becomes the message when it comes; or no crypto store): said so, never dropped.
ENCRYPTED_NOTE = "[Verschlüsselte Nachricht – hier nicht lesbar]"
ENCRYPTED_FILE_NOTE = "[Verschlüsselte Datei – hier nicht lesbar]"
MAX_NAME_CHARS = 256


def room_filter(limit: int) -> dict[str, Any]:
    """The RoomEventFilter for timelines and back-fill; members load lazily for names."""
    return {"limit": limit, "types": list(TIMELINE_TYPES), "lazy_load_members": True}


def sync_filter(timeline_limit: int) -> str:
    """The inline /sync filter: only room timelines and the members who wrote in them."""
    body = {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"limit": timeline_limit, "types": list(TIMELINE_TYPES)},
            "state": {"types": ["m.room.member", "m.room.encryption"], "lazy_load_members": True},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    }
    return json.dumps(body, separators=(",", ":"))


# An initial sync that lists pending invites and nothing else, for a restarted provider.
INVITES_ONLY_FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"limit": 0},
            "state": {"types": []},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    },
    separators=(",", ":"),
)


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


@dataclass(frozen=True)
class MediaHandle:
    """What MediaRef.ref packs: the event that carries the file, and the file's mxc URI."""

    room_id: str
    event_id: str
    mxc: str

    def pack(self) -> str:
        # Room ids, event ids and mxc URIs never contain a space.
        return f"{self.room_id} {self.event_id} {self.mxc}"

    @classmethod
    def unpack(cls, ref: str) -> MediaHandle | None:
        parts = ref.split(" ")
        if len(parts) != 3 or not all(parts):
            return None
        return cls(*parts)


def split_mxc(mxc: str) -> tuple[str, str] | None:
    """`mxc://server/media_id` → (server, media_id), or None if it is not a plain mxc URI."""
    if not mxc.startswith("mxc://"):
        return None
    server, _, media_id = mxc[len("mxc://") :].partition("/")
    if not server or not media_id or "/" in media_id or not media_id.isprintable():
        return None
    return server, media_id


def remember_names(names: dict[str, str], events: Iterable[Mapping[str, Any]]) -> None:
    """Display names from m.room.member events, keyed by user id (one room's map)."""
    for event in events:
        if event.get("type") != "m.room.member":
            continue
        user = text(event.get("state_key"))
        content = obj(event.get("content"))
        if user and content.get("membership") == "join":
            names[user] = text(content.get("displayname"))[:MAX_NAME_CHARS].strip()


def is_own_join(event: Mapping[str, Any], own_user: str) -> bool:
    return (
        event.get("type") == "m.room.member"
        and event.get("state_key") == own_user
        and obj(event.get("content")).get("membership") == "join"
    )


def sent_at(event: Mapping[str, Any]) -> datetime | None:
    stamp = number(event.get("origin_server_ts"))
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(stamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def convert(room_id: str, event: Mapping[str, Any], own_user: str, name: str) -> Event | None:
    """One timeline event as the office sees it; None for anything that is not a citizen's."""
    event_id = text(event.get("event_id"))
    sender = text(event.get("sender"))
    at = sent_at(event)
    content = obj(event.get("content"))
    if not event_id or not sender or sender == own_user or at is None:
        return None  # ours or malformed
    kind = event.get("type")
    change = _change(room_id, event, sender, at, content)
    if change is not None or not content:
        # A withdrawal, an edit, leaving; or an event seen only after its redaction (empty
        # content): nothing to keep, and its m.room.redaction follows in the timeline.
        return change
    if kind == "m.room.message" and msgtype_of(content) == "m.location":
        return _location(event_id, room_id, name, at, content)
    if kind == "m.call.invite":
        sdp = text(obj(content.get("offer")).get("sdp"))
        return InboundCall(event_id, room_id, name, at, video="m=video" in sdp)
    if kind == "m.sticker" or kind in POLLS:
        # A sticker from a pack, a poll: nothing the office can show or answer as it is, but
        # never dropped silently; the fallback text (the sticker's description) goes along.
        fallback = text(content.get("body")) or text(content.get("org.matrix.msc1767.text"))
        label = labelled("sticker" if kind == "m.sticker" else "poll", fallback)
        return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, label, unshowable=True)
    if kind == "m.room.encrypted":
        return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, ENCRYPTED_NOTE)
    if kind != "m.room.message":
        return None
    msgtype = text(content.get("msgtype"))
    body = text(content.get("body"))
    media_kind = MEDIA_KINDS.get(msgtype)
    if media_kind is None and msgtype not in KNOWN_TEXT:
        # Unknown msgtypes carry a readable fallback body (spec: "clients should display body"):
        # labelled, so the office sees it was something else (a poll, a sticker client).
        label = labelled("other", body)
        return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, label, unshowable=True)
    if media_kind is None:
        return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, body)
    # Encrypted attachments carry their mxc URI with the key material in "file".
    url = text(content.get("url")) or text(obj(content.get("file")).get("url"))
    if not split_mxc(url):
        return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, ENCRYPTED_FILE_NOTE)
    info = obj(content.get("info"))
    filename = text(content.get("filename"))
    # Since Matrix 1.10 a present `filename` makes `body` a caption; otherwise body is the name.
    caption = body if filename and body != filename else ""
    size = number(info.get("size"))
    duration = number(info.get("duration"))
    media = MediaRef(
        ref=MediaHandle(room_id, event_id, url).pack(),
        mime=text(info.get("mimetype")) or "application/octet-stream",
        size=int(size) if size is not None else None,
        filename=filename or body,
        duration=duration / 1000 if duration is not None else None,
    )
    return InboundMessage(event_id, room_id, name, at, media_kind, caption, media)


# Text msgtypes shown as they are; anything else is labelled as a kind the office cannot show.
KNOWN_TEXT = frozenset({"m.text", "m.notice", "m.emote"})


def msgtype_of(content: Mapping[str, Any]) -> str:
    return text(content.get("msgtype"))


def _change(
    room_id: str, event: Mapping[str, Any], sender: str, at: datetime, content: dict[str, Any]
) -> Event | None:
    """A citizen's redaction, edit (`m.replace`) or leaving, else None."""
    kind = event.get("type")
    if kind == "m.room.redaction":
        # Room versions up to 10 put `redacts` on the event, version 11 into the content.
        target = text(event.get("redacts")) or text(content.get("redacts"))
        return InboundWithdrawal(target, room_id, at) if target else None
    if kind == "m.room.member":
        gone = content.get("membership") in ("leave", "ban")
        return InboundLeft(room_id, at) if gone and event.get("state_key") == sender else None
    relates = obj(content.get("m.relates_to"))
    if kind != "m.room.message" or relates.get("rel_type") != "m.replace":
        return None
    target = text(relates.get("event_id"))
    new = obj(content.get("m.new_content"))
    if not target or not new:
        return None
    return InboundEdit(target, room_id, at, text(new.get("body")))


def _location(
    event_id: str, room_id: str, name: str, at: datetime, content: Mapping[str, Any]
) -> InboundMessage:
    """`m.location`: `geo_uri` is `geo:LAT,LON[;u=…]`; shown with a map link, never lost."""
    uri = text(content.get("geo_uri"))
    lat, _, rest = uri.removeprefix("geo:").partition(",")
    lon = rest.split(";", 1)[0]
    place = location(lat, lon) if uri.startswith("geo:") else None
    body = text(content.get("body"))
    shown = place.text(body) if place else labelled("location", body)
    return InboundMessage(event_id, room_id, name, at, MessageKind.TEXT, shown)
