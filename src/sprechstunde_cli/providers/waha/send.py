"""Sending through WAHA, the way WhatsApp tolerates it: only to people who wrote first, with a
typing indicator and a pause before each message, and never the same reply twice.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.domain import keys
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.waha.chats import is_person
from sprechstunde_cli.providers.waha.client import NotImplementedByEngine, WahaApi, path_part

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base.media import OutboundMedia

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


class Sender:
    """Sends for one WAHA session; `wrote_first` holds the chats seen writing or calling."""

    def __init__(self, api: WahaApi, delay: float, pause: Callable[[float], None]) -> None:
        self.api = api
        self.delay = delay  # seconds of typing shown before each send (ban safety)
        self.pause = pause
        self.wrote_first: set[str] = set()

    @property
    def prefix(self) -> str:
        return f"/api/{path_part(self.api.session)}"

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        self._guard(chat)
        wa_id = message_id_for(key)
        earlier = self._own_message(chat, wa_id)
        if earlier:
            return Sent(earlier)  # a retry after a crash: WAHA already has it
        body = {
            "session": self.api.session,
            "chatId": chat,
            "text": text,
            "id": wa_id,
            "linkPreview": False,  # a preview would make WAHA fetch the link
        }
        result = self._paced(chat, "/api/sendText", "send a text", body)
        # Some engines answer with an empty body or without the id. The id we asked for is
        # used only where WAHA then lists a message under it; never guessed, since the purge
        # would count a revoke of a message that does not exist. "" is "sent, id unknown".
        return Sent(sent_id(result) or self._own_message(chat, wa_id) or "")

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        from sprechstunde_cli.domain.media import file_name  # only a file: a text reply skips it

        self._guard(chat)
        path, what = _SEND_PATHS[media.kind]
        data = base64.b64encode(media.data).decode("ascii")
        body: dict[str, Any] = {"session": self.api.session, "chatId": chat}
        if media.kind is MessageKind.VOICE:
            ogg = media.mime.split(";")[0].strip() in ("audio/ogg", "audio/opus")
            body["file"] = {"mimetype": VOICE_MIME, "filename": "voice.ogg", "data": data}
            body["convert"] = not ogg  # WAHA's ffmpeg makes OGG/Opus of anything else
        else:
            name = file_name(media.filename, media.mime, media.kind)
            body["file"] = {"mimetype": media.mime, "filename": name, "data": data}
            if caption:
                body["caption"] = caption
        result = self._paced(chat, path, what, body)
        provider_id = sent_id(result) or ""  # not the chat's latest: that is a guess too
        if media.kind is MessageKind.VOICE and caption:
            self.send_text(chat, caption, keys.caption(key))  # voice notes carry no caption
        return Sent(provider_id)

    def _paced(self, chat: str, path: str, what: str, body: Mapping[str, Any]) -> Any:
        """Typing, a pause, then the send: what WAHA's docs advise against looking like a bot."""
        self._typing("/api/startTyping", chat)
        self.pause(self.delay)
        self._typing("/api/stopTyping", chat)
        return self.api.request("POST", path, what, json=body)

    def _typing(self, path: str, chat: str) -> None:
        try:
            body = {"session": self.api.session, "chatId": chat}
            self.api.request("POST", path, _("show typing"), json=body)
        except NotImplementedByEngine:
            pass  # typing is a courtesy, not a reason to hold a reply back

    def _guard(self, chat: str) -> None:
        """Never write first: only chats that wrote to the service phone get a message."""
        if chat in self.wrote_first:
            return
        if not is_person(chat):
            raise ProviderError(
                _("WAHA sends only to one-to-one chats (…@c.us or …@lid)."),
                _("Reply within a thread; sprechstunde never writes to groups or channels."),
            )
        found = self.api.lookup(
            f"{self.prefix}/chats/{path_part(chat)}/messages",
            _("check that the citizen wrote first"),
            params={"limit": 1, "filter.fromMe": False, "downloadMedia": False},
        )
        if isinstance(found, list) and found:
            self.wrote_first.add(chat)
            return
        raise ProviderError(
            _("Refusing to write first to a WhatsApp chat that never wrote to the service phone."),
            _("sprechstunde only answers citizens; WhatsApp bans numbers that message strangers."),
        )

    def _own_message(self, chat: str, wa_id: str) -> str | None:
        full = f"true_{chat}_{wa_id}"
        found = self.api.lookup(
            f"{self.prefix}/chats/{path_part(chat)}/messages/{path_part(full)}",
            _("look for an earlier send"),
            params={"downloadMedia": False},
        )
        return found["id"] if isinstance(found, dict) and found.get("id") == full else None
