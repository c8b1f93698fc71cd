"""The fake WAHA itself: it holds requests and its own answers to the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from tests.support.fakes.openapi import SpecViolation
from tests.support.fakes.waha import FakeWaha, spec


def client(fake: FakeWaha, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url="http://127.0.0.1:3000",
        headers={"X-Api-Key": key or fake.api_key},
        transport=httpx.MockTransport(fake),
    )


def test_an_invalid_request_is_caught_and_kept() -> None:
    fake = FakeWaha()
    with client(fake) as http, pytest.raises(SpecViolation, match="'chatId' is a required"):
        http.post("/api/sendText", json={"session": "default", "text": "Hallo"})
    assert len(fake.violations) == 1


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "problem"),
    [
        ("GET", "/api/default/chats/1%40c.us/messages", {"limit": "x"}, None, "not a number"),
        ("GET", "/api/default/chats/1%40c.us/messages", {}, None, "missing query parameter"),
        ("GET", "/api/default/chats/1%40c.us/messages", {"limit": 1, "page": 2}, None, "unknown"),
        ("GET", "/api/default/chats/overview", {"merge": "yes"}, None, "not true/false"),
        ("POST", "/api/sendSeen", {}, {"session": "default", "chat_id": "1@c.us"}, "chatId"),
        ("POST", "/api/sendText", {}, {"session": "d", "chatId": "1", "text": "x", "tx": 1}, "tx"),
        ("GET", "/api/default/chats/1@c.us/messages", {"limit": 1}, None, "unescaped"),
        ("GET", "/api/default/nothing-here", {}, None, "not in the document"),
    ],
)
def test_requests_outside_the_document_are_caught(
    method: str, path: str, params: dict[str, object], body: object, problem: str
) -> None:
    fake = FakeWaha()
    with client(fake) as http, pytest.raises(SpecViolation, match=problem):
        http.request(method, path, params=params, json=body)  # type: ignore[arg-type]
    assert fake.violations


def test_an_invalid_response_of_the_fake_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWaha()
    fake.citizen_send("anna", "Hallo")
    original = fake.wamessage

    def drifted(msg, *, download):  # type: ignore[no-untyped-def]
        body = original(msg, download=download)
        body["timestamp"] = str(body["timestamp"])  # a string where WAMessage has a number
        return body

    monkeypatch.setattr(fake, "wamessage", drifted)
    with client(fake) as http, pytest.raises(SpecViolation, match="timestamp"):
        http.get("/api/default/chats/490000000001%40c.us/messages", params={"limit": 5})
    assert any("WAMessage" in v or "timestamp" in v for v in fake.violations)


def test_a_wrong_status_code_is_caught() -> None:
    op = spec().match("POST", "/api/sendText")
    assert op is not None
    with pytest.raises(SpecViolation, match="declares only"):
        spec().check_response(op, 200, {})  # WAHA answers sendText with 201


def test_events_are_checked_against_the_webhook_schemas() -> None:
    fake = FakeWaha()
    fake.citizen_call("anna")
    [envelope] = fake.emitted
    assert envelope["event"] == "call.received"
    with pytest.raises(SpecViolation, match="isVideo"):
        fake.emit("call.received", {"id": "X", "from": "1@c.us", "timestamp": 1, "_data": {}})


def test_the_documents_known_slips_are_pinned() -> None:
    """Normalised before validating; a new copy of the document must review this list."""
    kinds: dict[str, int] = {}
    for entry in spec().patched:
        kind = entry.split(" ", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == {"nullable": 27, "object-for-string": 36, "required-bool": 3}
    assert "object-for-string /components/schemas/VoiceBinaryFile/properties/mimetype" in (
        spec().patched
    )


def test_without_the_key_every_endpoint_answers_401_json() -> None:
    fake = FakeWaha()
    with client(fake, key="wrong") as http:
        answer = http.get("/api/sessions/default")
    assert answer.status_code == 401
    assert answer.json() == {"message": "Unauthorized", "statusCode": 401}


def test_a_session_that_is_not_working_answers_422_with_its_status() -> None:
    fake = FakeWaha()
    fake.status = "SCAN_QR_CODE"
    with client(fake) as http:
        answer = http.get("/api/default/chats/overview")
    assert answer.status_code == 422
    assert (answer.json()["status"], answer.json()["expected"]) == ("SCAN_QR_CODE", ["WORKING"])


@pytest.mark.parametrize(("engine", "status"), [("NOWEB", 422), ("GOWS", 501)])
def test_a_method_the_engine_lacks_is_refused(engine: str, status: int) -> None:
    fake = FakeWaha(engine=engine, not_implemented_status=status)
    fake.citizen_send("anna", "Hallo")
    with client(fake) as http:
        answer = http.delete("/api/default/chats/490000000001%40c.us")
    assert answer.status_code == status
    assert "not implemented by" in answer.json()["message"]
    assert fake.unimplemented == ["delete chat"]
    assert fake.office_ids()  # nothing was deleted


def test_chat_id_all_pages_may_come_back_short_before_the_end() -> None:
    fake = FakeWaha(engine="GOWS")
    fake.citizen_send("anna", "eins")
    with client(fake) as http:
        http.post(
            "/api/sendText", json={"session": "default", "chatId": "490000000001@c.us", "text": "x"}
        )
        fake.citizen_send("anna", "zwei")
        params = {"limit": 2, "sortOrder": "asc", "filter.fromMe": "false"}
        first = http.get("/api/default/chats/all/messages", params=params).json()
        second = http.get("/api/default/chats/all/messages", params={**params, "offset": 2}).json()
    assert [m["body"] for m in first] == ["eins"]  # the office's reply was cut from this page
    assert [m["body"] for m in second] == ["zwei"]
