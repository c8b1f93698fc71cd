"""The fake WAHA's endpoints: each takes (fake, operation, query, body) → (status, body)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.support.fakes.openapi import Operation

if TYPE_CHECKING:
    from tests.support.fakes.waha import FakeWaha, Msg


class Query(dict[str, str]):
    """Query parameters, last value wins; `values` keeps repeated ones (ids=a&ids=b)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__(items)
        self.items_list = items

    def values_of(self, name: str) -> list[str]:
        return [v for k, v in self.items_list if k == name]


Handler = Callable[["FakeWaha", Operation, Query, dict[str, Any]], tuple[int, Any]]
ROUTES: dict[tuple[str, str], Handler] = {}
ACKS = {"ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4}


class Reply(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES[(method, template)] = handler
        return handler

    return register


class Routes:
    """Checks shared by the endpoints; mixed into FakeWaha."""

    def working(self: FakeWaha, session: str) -> None:  # type: ignore[misc]
        if session != self.session:
            raise Reply(
                404, {"statusCode": 404, "message": "Session not found", "error": "Not Found"}
            )
        if self.status != "WORKING":
            # SessionManager.waitUntilStatus (WAHA waits ~5 s first; the fake answers at once)
            raise Reply(
                422,
                {
                    "error": "Session status is not as expected. Try again later or restart "
                    "the session",
                    "session": session,
                    "status": self.status,
                    "expected": ["WORKING"],
                },
            )

    def needs(self: FakeWaha, feature: str, what: str) -> None:  # type: ignore[misc]
        if feature in self.features:
            return
        self.unimplemented.append(what)
        if self.not_implemented_status == 501:  # NotImplementedByEngineError in newer WAHA
            message = (
                f"The method is not implemented by '{self.engine}' engine. Check the docs and "
                "try another engine: https://waha.devlike.pro/"
            )
            raise Reply(501, {"statusCode": 501, "message": message, "error": "Not Implemented"})
        raise Reply(
            422,
            {
                "statusCode": 422,
                "message": "The method is not implemented by the engine.",
                "error": "Unprocessable Entity",
            },
        )

    def group(self: FakeWaha, chat: str, merge: bool) -> set[str]:  # type: ignore[misc]
        """The raw chats one chat id stands for; with merge, both ids of a known person."""
        who = self.by_chat(chat)
        if merge and who is not None and who.lid_known:
            return {who.pn, who.lid}
        return {chat}


def _flag(query: Query, name: str, default: bool) -> bool:
    return query.get(name, "true" if default else "false") == "true"


def _not_found(what: str) -> Reply:
    return Reply(404, {"statusCode": 404, "message": f"{what} not found", "error": "Not Found"})


# --- sessions and server --------------------------------------------------------------------


@route("GET", "/api/sessions/{session}")
def get_session(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    if op.params["session"] != fake.session:
        raise _not_found("Session")
    info: dict[str, Any] = {
        "name": fake.session,
        "status": fake.status,
        "presence": {},
        "timestamps": {"activity": None},
        "config": {},
    }
    if fake.status == "WORKING":
        info["me"] = {"id": fake.me, "pushName": "Bürgerbüro"}
    return 200, info


@route("GET", "/api/server/version")
def get_version(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    return 200, fake.environment()


@route("GET", "/api/contacts/all")
def get_contacts(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(query.get("session", "default"))
    fake.needs("contacts", "list contacts")
    return 200, list(fake.contacts)


def _lids_refused(fake: FakeWaha) -> None:
    """An engine without the lookup answers 422 (older WAHA) or 501 (newer), not always with
    WAHA's "not implemented" wording."""
    if fake.lids_status is not None:
        words = {422: "Unprocessable Entity", 501: "Not Implemented"}
        message = words.get(fake.lids_status, "Error")
        raise Reply(fake.lids_status, {"statusCode": fake.lids_status, "message": message})


@route("GET", "/api/{session}/lids/{lid}")
def get_lid(fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]) -> tuple[int, Any]:
    fake.working(op.params["session"])
    fake.needs("lids", "lid lookup")
    _lids_refused(fake)
    lid = op.params["lid"] if "@" in op.params["lid"] else op.params["lid"] + "@lid"
    who = fake.by_chat(lid)
    return 200, {"lid": lid, "pn": who.pn} if who and who.lid_known else {"lid": lid}


@route("GET", "/api/{session}/lids/pn/{phoneNumber}")
def get_pn(fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]) -> tuple[int, Any]:
    fake.working(op.params["session"])
    fake.needs("lids", "lid lookup")
    _lids_refused(fake)
    pn = op.params["phoneNumber"]
    pn = pn if "@" in pn else pn.lstrip("+") + "@c.us"
    who = fake.by_chat(pn)
    return 200, {"lid": who.lid, "pn": pn} if who and who.lid_known else {"pn": pn}


# --- chats and messages ---------------------------------------------------------------------


@route("GET", "/api/{session}/chats/overview")
def overview(fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]) -> tuple[int, Any]:
    fake.working(op.params["session"])
    merge = _flag(query, "merge", True)
    groups: dict[str, list[Msg]] = {}
    for chat in fake.chats:
        who = fake.by_chat(chat)
        key = who.pn if merge and who is not None and who.lid_known else chat
        groups.setdefault(key, []).extend(m for m in fake.office.values() if m.chat == chat)
    wanted = set(query.values_of("ids"))
    rows = []
    for key, msgs in groups.items():
        if wanted and key not in wanted:
            continue
        last = max(msgs, key=lambda m: m.ts) if msgs else None
        who = fake.by_chat(key)
        rows.append(
            {
                "id": key,
                "name": who.name if who else None,
                "picture": None,
                "lastMessage": fake.wamessage(last, download=False) if last else {},
                "_chat": {"id": key},
            }
        )
    rows.sort(key=lambda r: r["lastMessage"].get("timestamp", 0), reverse=True)
    offset, limit = int(float(query.get("offset", 0))), int(float(query.get("limit", 20)))
    return 200, rows[offset : offset + limit]


def _select(fake: FakeWaha, chat: str, query: Query) -> list[Msg]:
    if chat == "all":
        fake.needs("messages.all", "chatId=all")
        msgs = list(fake.office.values())
    else:
        chats = fake.group(chat, _flag(query, "merge", True))
        msgs = [m for m in fake.office.values() if m.chat in chats]
    if "list.limit_only" in fake.quirks:
        # The engine takes only `limit`: the last `limit` messages, in its own order (sorts
        # are stable: within one second, in the order the messages came).
        limit = int(float(query["limit"]))
        if "list.oldest_first" in fake.quirks:
            return sorted(msgs, key=lambda m: m.ts)[-limit:]
        return sorted(msgs, key=lambda m: m.ts, reverse=True)[:limit]
    if "filter.timestamp.gte" in query:
        msgs = [m for m in msgs if m.ts >= float(query["filter.timestamp.gte"])]
    if "filter.timestamp.lte" in query:
        msgs = [m for m in msgs if m.ts <= float(query["filter.timestamp.lte"])]
    newest_first = query.get("sortOrder", "desc") == "desc"  # latest first unless asked
    msgs.sort(key=lambda m: m.ts, reverse=newest_first)
    offset, limit = int(float(query.get("offset", 0))), int(float(query["limit"]))

    def keep(m: Msg) -> bool:
        if "filter.fromMe" in query and m.from_me != (query["filter.fromMe"] == "true"):
            return False
        return "filter.ack" not in query or m.ack == ACKS[query["filter.ack"]]

    if chat == "all":
        # Across chats WAHA filters a page after cutting it, so a page may come back short.
        return [m for m in msgs[offset : offset + limit] if keep(m)]
    return [m for m in msgs if keep(m)][offset : offset + limit]


@route("GET", "/api/{session}/chats/{chatId}/messages")
def list_messages(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    download = _flag(query, "downloadMedia", True)
    msgs = _select(fake, op.params["chatId"], query)
    return 200, [fake.wamessage(m, download=download) for m in msgs]


@route("GET", "/api/{session}/chats/{chatId}/messages/{messageId}")
def get_message(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    msg = fake.office.get(op.params["messageId"])
    if msg is None or msg.chat not in fake.group(op.params["chatId"], _flag(query, "merge", True)):
        raise _not_found("Message")
    return 200, fake.wamessage(msg, download=_flag(query, "downloadMedia", True))


@route("DELETE", "/api/{session}/chats/{chatId}/messages/{messageId}")
def delete_message(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    msg = fake.office.get(op.params["messageId"])
    if msg is None or msg.chat not in fake.group(op.params["chatId"], True):
        raise _not_found("Message")
    if msg.from_me and fake.time.now() - msg.ts <= fake.revoke_window:
        # Revoke for everyone: only the sender can, and only within WhatsApp's window.
        who = fake.by_chat(msg.chat)
        for item in who.phone if who else []:
            if item.msg.id == msg.id:
                item.revoked = True
        if "revoked.listed" in fake.quirks:
            msg.revoked = True  # the engine's store keeps a stub under the same id
            return 200, None
    del fake.office[msg.id]  # otherwise: deleted for the office only
    return 200, None


@route("DELETE", "/api/{session}/chats/{chatId}/messages")
def clear_messages(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    fake.needs("chats.clear", "clear messages")
    for msg in [m for m in fake.office.values() if m.chat == op.params["chatId"]]:
        del fake.office[msg.id]
    return 200, None


@route("DELETE", "/api/{session}/chats/{chatId}")
def delete_chat(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    fake.needs("chats.delete", "delete chat")
    chat = op.params["chatId"]
    if chat not in fake.chats:
        raise _not_found("Chat")
    fake.chats.discard(chat)
    for msg in [m for m in fake.office.values() if m.chat == chat]:
        del fake.office[msg.id]  # the office's copy; the citizen's phone is not touched
    return 200, None


# --- sending --------------------------------------------------------------------------------


def _store_sent(
    fake: FakeWaha, body: dict[str, Any], text: str, file: dict[str, Any] | None
) -> Msg:
    from tests.support.fakes.waha import Msg, PhoneItem

    fake.working(body["session"])
    chat = body["chatId"]
    msg = Msg(
        wa_id=body.get("id") or secrets.token_hex(10).upper(),
        chat=chat,
        from_me=True,
        ts=int(fake.time.now()),
        body=text,
        data=base64.b64decode(file["data"]) if file else None,
        mimetype=str(file["mimetype"]) if file else None,
        filename=str(file["filename"]) if file and "filename" in file else None,
    )
    who = fake.by_chat(chat)
    if who is not None:
        msg.ack = 2  # delivered to the device
        # Nothing documents that WhatsApp drops a repeated id: the phone shows it again.
        who.phone.append(PhoneItem(msg))
    fake.office[msg.id] = msg
    fake.chats.add(chat)
    fake.log.append(("send", chat))
    return msg


@route("POST", "/api/sendText")
def send_text(fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]) -> tuple[int, Any]:
    if fake.send_answer == "empty":
        body = {**body, "id": None}  # the engine ignores the id asked for and names none
        _store_sent(fake, body, body["text"], None)
        return 201, None
    msg = _store_sent(fake, body, body["text"], None)
    return 201, fake.wamessage(msg, download=False)


def _send_file(fake: FakeWaha, body: dict[str, Any]) -> tuple[int, Any]:
    if "data" not in body["file"]:
        raise Reply(400, {"statusCode": 400, "message": "the fake takes base64 data only"})
    msg = _store_sent(fake, body, body.get("caption", ""), body["file"])
    if fake.engine in ("WEBJS", "WPP"):  # whatsapp-web.js Message
        ident = {"fromMe": True, "remote": msg.chat, "id": msg.wa_id, "_serialized": msg.id}
        return 201, {"id": ident, "body": msg.body, "timestamp": msg.ts, "hasMedia": True}
    if fake.engine == "NOWEB":  # Baileys WebMessageInfo
        jid = msg.chat.replace("@c.us", "@s.whatsapp.net")
        key = {"remoteJid": jid, "fromMe": True, "id": msg.wa_id}
        return 201, {"key": key, "messageTimestamp": msg.ts, "status": "PENDING"}
    return 201, fake.wamessage(msg, download=False)


for _path in ("/api/sendImage", "/api/sendFile", "/api/sendVoice"):
    route("POST", _path)(lambda fake, op, query, body: _send_file(fake, body))


@route("POST", "/api/sendSeen")
def send_seen(fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]) -> tuple[int, Any]:
    fake.working(body["session"])
    who = fake.by_chat(body["chatId"])
    ids = set(body.get("messageIds") or [])
    use_ids = "seen.ids" in fake.features and ids  # WEBJS/WPP mark the chat's unread ones
    for item in who.phone if who else []:
        if not item.msg.from_me and (not use_ids or item.msg.id in ids):
            item.read = True
    return 201, {}


@route("POST", "/api/startTyping")
def start_typing(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(body["session"])
    fake.log.append(("typing", body["chatId"]))
    return 201, None


@route("POST", "/api/stopTyping")
def stop_typing(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(body["session"])
    fake.log.append(("paused", body["chatId"]))
    return 201, None


@route("POST", "/api/{session}/calls/reject")
def reject_call(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    for who in fake.citizens.values():
        for call in who.calls:
            if call.id == body["id"] and body["from"] in (who.pn, who.lid):
                call.state = "rejected"
    return 201, None


@route("POST", "/api/{session}/status/text")
def status_text(
    fake: FakeWaha, op: Operation, query: Query, body: dict[str, Any]
) -> tuple[int, Any]:
    fake.working(op.params["session"])
    fake.statuses.append(dict(body))
    return 201, {"id": f"true_status@broadcast_{body.get('id') or secrets.token_hex(8)}"}
