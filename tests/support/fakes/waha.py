"""A stateful fake of WAHA 2026.7.1 (WhatsApp HTTP API), for `httpx.MockTransport`.

It models what the document and WAHA's docs say (tests/support/specs/, and docs/waha.md): the
`X-Api-Key` check (401 JSON), session states (422 naming status and expected unless WORKING),
the per-engine feature matrix (422 "The method is not implemented by the engine."), message
ids `{fromMe}_{chatId}_{id}`, `limit`/`offset`/`filter.*`, @lid vs @c.us with `merge`, media
files under /api/files/ that expire, revoke only for own messages within a window, and chat
deletion that empties only the office's side: each citizen's phone keeps its own copy.

Every request and every response is checked against the OpenAPI document (`openapi.py`); a
violation raises `SpecViolation` in the caller and is kept in `violations`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from tests.support.fakes.openapi import OpenApi, Operation, SpecViolation
from tests.support.fakes.waha_routes import ROUTES, Query, Reply, Routes

SPEC_FILE = Path(__file__).parent.parent / "specs" / "waha-openapi-2026.7.1.json"

# The engine matrix of WAHA's docs (how-to/chats/features.md, chats, sendSeen).
FEATURES: dict[str, frozenset[str]] = {
    "WEBJS": frozenset({"chats.delete", "chats.clear"}),
    "WPP": frozenset({"chats.delete"}),
    "NOWEB": frozenset({"messages.all", "seen.ids"}),
    "GOWS": frozenset({"messages.all", "seen.ids"}),
}
ENGINES = tuple(FEATURES)
# How each engine really lists and revokes, read in devlikeapro/waha's engine sources
# (src/core/engines/webjs/session.webjs.core.ts, noweb/session.noweb.core.ts and its
# store/sqlite3/Sqlite3MessagesRepository.ts): WEBJS's and NOWEB's getChatMessages take only
# `limit` — `filter.*`, `offset` and `sortOrder` are ignored; WEBJS answers whatsapp-web.js's
# fetchMessages (the last `limit`, oldest first), NOWEB its store (`ORDER BY messageTimestamp
# DESC LIMIT ?`, newest first). Both list from the account's local store, where a message
# revoked for everyone stays under its id as a stub ("You deleted this message": WEBJS type
# "revoked", NOWEB messageStubType 1 = REVOKE). GOWS follows the OpenAPI document.
QUIRKS: dict[str, frozenset[str]] = {
    "WEBJS": frozenset({"list.limit_only", "list.oldest_first", "revoked.listed"}),
    "WPP": frozenset({"list.limit_only", "list.oldest_first", "revoked.listed"}),
    "NOWEB": frozenset({"list.limit_only", "revoked.listed"}),
    "GOWS": frozenset(),
}
ACK_NAMES = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "audio/ogg": "oga",
    "application/pdf": "pdf",
}


@cache
def spec() -> OpenApi:
    return OpenApi(SPEC_FILE)


class FakeTime:
    """WAHA's clock: real time plus whatever a test has skipped ahead."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Msg:
    wa_id: str
    chat: str  # the raw chat id the message lives under (@c.us or @lid)
    from_me: bool
    ts: int
    body: str = ""
    data: bytes | None = None
    mimetype: str | None = None
    filename: str | None = None
    sender_name: str = ""
    ack: int = 1
    revoked: bool = False  # by its sender: WEBJS/WPP list it as "revoked" with nothing left;
    # NOWEB keeps the office's own revoked reply as a stub (messageStubType 1)
    # Fields beside text and file (WAMessage's `location`, `vCards`; `_data.type` of WEBJS).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{'true' if self.from_me else 'false'}_{self.chat}_{self.wa_id}"


@dataclass
class PhoneItem:
    msg: Msg
    revoked: bool = False  # shows "This message was deleted"

    read: bool = False  # blue ticks on the citizen's own message


@dataclass
class Call:
    id: str
    caller: Citizen
    ts: int
    video: bool
    state: str = "ringing"


@dataclass
class Citizen:
    handle: str
    name: str
    pn: str
    lid: str
    writes_as: str = "pn"  # which id WAHA shows on this citizen's messages: "pn" or "lid"
    lid_known: bool = True  # WAHA can map @lid ↔ @c.us (lids endpoints, merge)
    phone: list[PhoneItem] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.lid if self.writes_as == "lid" else self.pn


class FakeWaha(Routes):
    def __init__(
        self,
        *,
        engine: str = "WEBJS",
        api_key: str = "test-api-key",
        session: str = "default",
        files_lifetime: float = 180.0,
        revoke_window: float = 2 * 24 * 3600.0,
        not_implemented_status: int = 422,
        send_answer: str = "message",
        lids_status: int | None = None,
    ) -> None:
        """`send_answer`: what sendText answers — "message" (a WAMessage with the id asked
        for), "empty" (201 with no body; the engine picked its own id). `lids_status`: /lids
        answers this (422, 501) instead of looking up, as engines without the method do."""
        assert engine in FEATURES
        assert send_answer in ("message", "empty")
        self.engine = engine
        self.quirks = QUIRKS[engine]
        self.send_answer = send_answer
        self.lids_status = lids_status
        self.features = set(FEATURES[engine]) | {"lids", "contacts"}
        self.api_key = api_key
        self.session = session
        self.status = "WORKING"
        self.time = FakeTime()
        self.files_lifetime = files_lifetime
        self.revoke_window = revoke_window
        self.not_implemented_status = not_implemented_status
        self.download_media = True  # WHATSAPP_DOWNLOAD_MEDIA
        self.public_base = "http://localhost:3000"  # WAHA_BASE_URL as WAHA puts it in URLs
        self.me = "49000000099@c.us"
        self.lock = threading.RLock()
        self.office: dict[str, Msg] = {}  # what the office's WhatsApp account shows, by id
        self.chats: set[str] = set()  # raw chat ids in the office's chat list
        self.citizens: dict[str, Citizen] = {}
        self.files: dict[str, tuple[bytes, str, float]] = {}  # name → data, mime, expires at
        self.contacts: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.log: list[tuple[str, str]] = []  # ("typing", chat), ("send", chat) … in order
        self.requests: list[tuple[str, str]] = []  # (method, template) of each request
        self.violations: list[str] = []
        self.unimplemented: list[str] = []  # engine-less methods that were asked for anyway
        self.emitted: list[dict[str, Any]] = []
        self.listeners: list[Callable[[dict[str, Any]], None]] = []  # the /ws hub
        self._scripted: list[tuple[str, Callable[[httpx.Request], httpx.Response]]] = []

    # --- the citizens' phones ------------------------------------------------------------------

    def citizen(self, handle: str, **options: Any) -> Citizen:
        with self.lock:
            if handle not in self.citizens:
                n = len(self.citizens) + 1
                self.citizens[handle] = Citizen(
                    handle,
                    options.pop("name", handle.title()),
                    f"490000000{n:03d}@c.us",  # fictitious: +49 000 …
                    f"1000000000{n:03d}@lid",
                    **options,
                )
            return self.citizens[handle]

    def by_chat(self, chat: str) -> Citizen | None:
        return next((c for c in self.citizens.values() if chat in (c.pn, c.lid)), None)

    def citizen_send(
        self,
        handle: str,
        text: str = "",
        data: bytes | None = None,
        mimetype: str | None = None,
        filename: str | None = None,
        *,
        ts: int | None = None,
    ) -> Msg:
        """The citizen writes; `ts` lets a message reach WAHA late, with an older timestamp."""
        with self.lock:
            who = self.citizen(handle)
            msg = Msg(
                wa_id=secrets.token_hex(10).upper(),
                chat=who.address,
                from_me=False,
                ts=int(self.time.now()) if ts is None else ts,
                body=text,
                data=data,
                mimetype=mimetype,
                filename=filename,
                sender_name=who.name,
            )
            self.office[msg.id] = msg
            self.chats.add(msg.chat)
            who.phone.append(PhoneItem(msg))
        self.emit("message", self.wamessage(msg, download=True))
        return msg

    def citizen_call(self, handle: str, *, video: bool = False) -> Call:
        with self.lock:
            who = self.citizen(handle)
            call = Call(secrets.token_hex(14).upper(), who, int(self.time.now()), video)
            who.calls.append(call)
        payload = {
            "id": call.id,
            "from": who.address,
            "timestamp": call.ts,
            "isVideo": video,
            "isGroup": False,
            "_data": {},
        }
        self.emit("call.received", payload)
        return call

    def phone_texts(self, handle: str) -> list[str]:
        """Texts and captions from the office on this citizen's phone, revoked ones left out."""
        items = self.citizen(handle).phone
        return [i.msg.body for i in items if i.msg.from_me and not i.revoked and i.msg.body]

    def phone_media(self, handle: str) -> list[bytes]:
        items = self.citizen(handle).phone
        return [i.msg.data for i in items if i.msg.from_me and not i.revoked and i.msg.data]

    def phone_own(self, handle: str) -> list[str]:
        """What the citizen sent, as their own phone still shows it."""
        items = self.citizen(handle).phone
        return [i.msg.body or "<media>" for i in items if not i.msg.from_me]

    def call_declined(self, handle: str) -> bool:
        calls = self.citizen(handle).calls
        return bool(calls) and calls[-1].state == "rejected"

    def office_ids(self) -> set[str]:
        return set(self.office)

    # --- what WAHA returns ---------------------------------------------------------------------

    def wamessage(self, msg: Msg, *, download: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": msg.id,
            "timestamp": msg.ts,
            "from": self.me if msg.from_me else msg.chat,
            "fromMe": msg.from_me,
            "source": "api" if msg.from_me else "app",
            "to": msg.chat if msg.from_me else self.me,
            "participant": "",
            "body": msg.body,
            "hasMedia": msg.data is not None,
            "mediaUrl": "",
            "ack": msg.ack,
            "ackName": ACK_NAMES[msg.ack],
            "_data": self._raw(msg),
        }
        if msg.revoked:
            body["body"], body["hasMedia"] = "", False
            body["_data"] = (
                {"messageStubType": 1}
                if self.engine == "NOWEB"
                else {**body["_data"], "type": "revoked"}
            )
            return body
        raw_extra = msg.extra.get("_data", {})
        body |= {k: v for k, v in msg.extra.items() if k != "_data"}
        body["_data"] = {**body["_data"], **raw_extra}
        if msg.data is not None and download and self.download_media:
            url = f"{self.public_base}/api/files/{self._file_for(msg)}"
            body["media"] = {"url": url, "mimetype": msg.mimetype or "application/octet-stream"}
            if msg.filename:
                body["media"]["filename"] = msg.filename
            body["mediaUrl"] = url
        return body

    def _raw(self, msg: Msg) -> dict[str, Any]:
        """Each engine's raw message carries the sender's push name in its own place."""
        if msg.from_me:
            return {}
        if self.engine in ("WEBJS", "WPP"):
            return {"notifyName": msg.sender_name}
        if self.engine == "NOWEB":
            return {"pushName": msg.sender_name}
        return {"Info": {"PushName": msg.sender_name}}

    def _file_for(self, msg: Msg) -> str:
        assert msg.data is not None
        mime = (msg.mimetype or "").split(";")[0]
        name = f"{msg.id}.{EXTENSIONS.get(mime, 'bin')}"
        now = self.time.now()
        if name not in self.files or self.files[name][2] <= now:
            self.files[name] = (
                msg.data,
                mime or "application/octet-stream",
                now + self.files_lifetime,
            )
        return name

    # --- events (the /ws stream) ---------------------------------------------------------------

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        envelope = {
            "id": "evt_" + secrets.token_hex(13)[:26],
            "timestamp": int(self.time.now() * 1000),
            "session": self.session,
            "engine": self.engine,
            "event": event,
            "payload": payload,
            "me": {"id": self.me, "pushName": "Bürgerbüro"},
            "environment": self.environment(),
        }
        schema = {
            "message": "WAHAWebhookMessage",
            "call.received": "WAHAWebhookCallReceived",
            "message.revoked": "WAHAWebhookMessageRevoked",
            "message.edited": "WAHAWebhookMessageEdited",
        }
        self._guarded(lambda: spec().check_schema(schema[event], envelope, f"event {event}"))
        self.emitted.append(envelope)
        for listener in list(self.listeners):
            listener(envelope)

    def environment(self) -> dict[str, Any]:
        return {
            "version": "2026.7.1",
            "engine": self.engine,
            "tier": "CORE",
            "browser": "/usr/bin/chromium" if self.engine in ("WEBJS", "WPP") else "",
            "platform": "linux/x64",
            "worker": {"id": None},
        }

    # --- scripted trouble ----------------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        path: str = "",
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        """The next `times` requests whose path contains `path` get this answer instead."""
        payload = body if body is not None else {"statusCode": status, "message": "scripted"}
        for _ in range(times):
            self._scripted.append(
                (path, lambda r: httpx.Response(status, json=payload, headers=headers))
            )

    def break_next(self, exc: type[httpx.TransportError], *, path: str = "") -> None:
        """The next request whose path contains `path` fails in transport (no answer at all)."""

        def raise_it(request: httpx.Request) -> httpx.Response:
            raise exc("scripted", request=request)

        self._scripted.append((path, raise_it))

    # --- the HTTP entry point ------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        for index, (part, answer) in enumerate(self._scripted):
            if part in raw_path:
                del self._scripted[index]
                return answer(request)
        with self.lock:
            if raw_path.startswith("/api/files/"):
                return self.file(request, raw_path)  # WAHA's own URL, '@' and all
            if "@" in raw_path:
                self._violation(f"'@' unescaped in path {raw_path} (WAHA asks for %40)")
            op = spec().match(request.method, raw_path)
            if op is None:
                self._violation(f"{request.method} {raw_path} is not in the document")
                raise AssertionError("unreachable")
            query = list(request.url.params.multi_items())
            content_type = request.headers.get("content-type", "")
            self._guarded(lambda: spec().check_request(op, query, request.content, content_type))
            self.requests.append((op.method, op.template))
            if request.headers.get("x-api-key") != self.api_key:
                return self._respond(op, 401, {"message": "Unauthorized", "statusCode": 401})
            handler = ROUTES.get((op.method, op.template))
            if handler is None:
                self._violation(f"the fake has no route for {op.method} {op.template}")
            body = json.loads(request.content) if request.content else {}
            try:
                status, answer = handler(self, op, Query(query), body)
            except Reply as reply:
                status, answer = reply.status, reply.body
            return self._respond(op, status, answer)

    def file(self, request: httpx.Request, raw_path: str) -> httpx.Response:
        if request.headers.get("x-api-key") != self.api_key:
            return httpx.Response(401, json={"message": "Unauthorized", "statusCode": 401})
        name = raw_path.removeprefix("/api/files/").replace("%40", "@")
        found = self.files.get(name)
        if found is None or found[2] <= self.time.now():
            self.files.pop(name, None)  # WHATSAPP_FILES_LIFETIME: the file is gone
            return httpx.Response(404, json={"statusCode": 404, "message": "Not Found"})
        data, mime, _ = found
        return httpx.Response(200, content=data, headers={"Content-Type": mime})

    def _respond(self, op: Operation, status: int, body: Any) -> httpx.Response:
        # An engine that answers sendText with an empty body departs from the document on
        # purpose (send_answer="empty"); everything else is checked against it.
        deviates = body is None and self.send_answer == "empty" and op.template == "/api/sendText"
        if not deviates:
            self._guarded(lambda: spec().check_response(op, status, body))
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, json=body)

    def _guarded(self, check: Callable[[], None]) -> None:
        try:
            check()
        except SpecViolation as err:
            self._violation(str(err))

    def _violation(self, text: str) -> None:
        self.violations.append(text)
        raise SpecViolation(text)
