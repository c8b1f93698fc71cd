"""The Matrix provider's error paths, against a small fake homeserver on httpx.MockTransport.

The real Synapse (test_synapse.py) is the reference; this fake only produces what a
real server rarely does on loopback — 5xx, dropped connections, malformed answers, redirects —
shaped as the client-server spec describes them (errcode bodies, Retry-After, retry_after_ms).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import AuthError, ConfigError, ExitCode, ProviderError
from sprechstunde_cli.providers.base import DeleteReach, ProviderContext
from sprechstunde_cli.providers.base.events import InboundMessage, MediaRef
from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.matrix.events import MediaHandle
from sprechstunde_cli.providers.matrix.login import login_with_password
from sprechstunde_cli.providers.matrix.provider import MatrixProvider, create
from sprechstunde_cli.providers.matrix.settings import MatrixSettings, parse_settings
from sprechstunde_cli.system.credentials import require_token
from sprechstunde_cli.system.paths import resolve_paths

TOKEN = "syt_geheim_0000"
ME = "@buero:example.org"
ROOM = "!raum:example.org"
BASE = "https://matrix.example.org"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeHomeserver:
    """Routes by (method, path prefix) to scripted answers; records every request."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, list[Handler]]] = []
        self.requests: list[httpx.Request] = []
        self.on("GET", "/_matrix/client/v3/account/whoami", reply(200, {"user_id": ME}))

    def on(self, method: str, prefix: str, *answers: Handler) -> FakeHomeserver:
        # Newest routes first: a test overrides the defaults by adding its own.
        self.routes.insert(0, (method, prefix, list(answers)))
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for method, prefix, answers in self.routes:
            if request.method == method and request.url.raw_path.decode().startswith(prefix):
                # The last answer repeats: a route scripts "first fail, then succeed forever".
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                return answer(request)
        return httpx.Response(404, json={"errcode": "M_UNRECOGNIZED", "error": "Unrecognized"})


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return answer


def drop(exc: type[httpx.TransportError]) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc("connection dropped", request=request)

    return answer


class StepTimer:
    """A timer the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def provider_on(
    fake: FakeHomeserver, timer: StepTimer | None = None, **settings: Any
) -> MatrixProvider:
    client = httpx.Client(
        base_url=BASE,
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=httpx.MockTransport(fake),
    )
    return MatrixProvider(
        MatrixSettings(BASE, ME, **settings), MatrixApi(client), timer=timer or StepTimer()
    )


def sync_body(events: list[dict[str, Any]], next_batch: str = "s2") -> dict[str, Any]:
    timeline = {"events": events, "limited": False, "prev_batch": "p1"}
    return {"next_batch": next_batch, "rooms": {"join": {ROOM: {"timeline": timeline}}}}


def message(event_id: str, body: str, **content: Any) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": "@anna:example.org",
        "origin_server_ts": 1_796_000_000_000,
        "content": {"msgtype": "m.text", "body": body, **content},
    }


def no_token_in(err: ProviderError) -> None:
    assert TOKEN not in f"{err.message} {err.hint} {err!r}"


# --- transport failures and server errors ------------------------------------------------------


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadTimeout])
def test_a_dropped_connection_is_a_retryable_error(exc: type[httpx.TransportError]) -> None:
    fake = FakeHomeserver().on("PUT", "/_matrix/client/v3/rooms/", drop(exc))
    with pytest.raises(ProviderError) as caught:
        provider_on(fake).send_text(ROOM, "Hallo", key="k1")
    assert caught.value.retryable
    assert "providers.matrix.homeserver" in caught.value.hint
    no_token_in(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retryable_and_names_only_status_and_errcode(status: int) -> None:
    body = {"errcode": "M_UNKNOWN", "error": f"Internal error in {ROOM}"}
    fake = FakeHomeserver().on("PUT", "/_matrix/client/v3/rooms/", reply(status, body))
    with pytest.raises(ProviderError) as caught:
        provider_on(fake).send_text(ROOM, "Hallo", key="k1")
    assert caught.value.retryable
    assert f"HTTP {status} M_UNKNOWN" in caught.value.message
    assert ROOM not in caught.value.message  # the server's text may quote ids: never copied
    no_token_in(caught.value)


def test_the_retry_send_uses_the_outbox_key_as_transaction_id() -> None:
    fake = FakeHomeserver().on(
        "PUT",
        "/_matrix/client/v3/rooms/",
        reply(503, {"errcode": "M_UNKNOWN"}),
        reply(200, {"event_id": "$e1"}),
    )
    provider = provider_on(fake)
    with pytest.raises(ProviderError):
        provider.send_text(ROOM, "Hallo", key="mittwoch:reply:7")
    assert provider.send_text(ROOM, "Hallo", key="mittwoch:reply:7").provider_id == "$e1"
    sends = [r.url.raw_path.decode() for r in fake.requests if r.method == "PUT"]
    assert (
        sends
        == [
            "/_matrix/client/v3/rooms/%21raum%3Aexample.org/send/m.room.message/mittwoch%3Areply%3A7"
        ]
        * 2
    )


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2500}, {"Retry-After": "3"}, 2.5),
        ({"errcode": "M_LIMIT_EXCEEDED"}, {"Retry-After": "7"}, 7.0),
        ({"errcode": "M_LIMIT_EXCEEDED"}, {}, 5.0),
        ({"errcode": "M_LIMIT_EXCEEDED"}, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, 5.0),
    ],
)
def test_a_rate_limit_says_how_long_to_wait(
    body: dict[str, Any], headers: dict[str, str], expected: float
) -> None:
    fake = FakeHomeserver().on("PUT", "/_matrix/client/v3/rooms/", reply(429, body, headers))
    with pytest.raises(ProviderError) as caught:
        provider_on(fake).send_text(ROOM, "Hallo", key="k1")
    assert (caught.value.retryable, caught.value.retry_after) == (True, expected)


def test_a_refused_token_says_how_to_log_in_and_is_an_auth_error() -> None:
    body = {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}
    fake = FakeHomeserver().on("GET", "/_matrix/client/v3/account/whoami", reply(401, body))
    with pytest.raises(ProviderError) as caught:
        provider_on(fake).receive(None, wait=0.0)
    # Like every HTTP adapter's 401: exit code 6, and queued work waits for a new login.
    assert caught.value.exit_code is ExitCode.AUTH
    assert caught.value.retryable
    assert caught.value.hint.startswith("Run: sprechstunde login matrix")
    no_token_in(caught.value)


def test_a_redirect_is_not_followed_so_the_token_stays_home() -> None:
    moved = reply(302, b"", {"Location": "https://elsewhere.example.net/sync"})
    fake = FakeHomeserver().on("GET", "/_matrix/client/v3/sync", moved)
    with pytest.raises(ProviderError):
        provider_on(fake).receive(None, wait=0.0)
    assert {r.url.host for r in fake.requests} == {"matrix.example.org"}


# --- malformed answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        reply(200, b"<html>Anmeldung erforderlich</html>"),
        reply(200, ["not", "an", "object"]),
        reply(200, {"rooms": {}}),  # no next_batch
        reply(200, {"next_batch": ""}),
    ],
)
def test_a_malformed_sync_is_a_retryable_error_and_the_cursor_stays(answer: Handler) -> None:
    fake = FakeHomeserver().on("GET", "/_matrix/client/v3/sync", answer)
    with pytest.raises(ProviderError) as caught:
        provider_on(fake).receive("s1", wait=0.0)
    assert caught.value.retryable


def test_hostile_and_broken_events_are_skipped_not_trusted() -> None:
    events = [
        message("$ok", "Guten Tag"),
        {"type": "m.room.message", "event_id": "$nocontent", "sender": "@x:e.org"},
        {**message("$badts", "x"), "origin_server_ts": "gestern"},
        {**message("$list", "x"), "content": ["kein", "objekt"]},
        {**message("$own", "von uns"), "sender": ME},
        message("$img", "Beschriftung", msgtype="m.image", url="https://evil.example/x.png"),
        message("$size", "b", msgtype="m.image", url="mxc://e.org/abc", info={"size": "gross"}),
        "kein Ereignis",
    ]
    fake = (
        FakeHomeserver()
        .on("GET", "/_matrix/client/v3/sync", reply(200, sync_body(events)))
        .on("GET", "/_matrix/client/v3/rooms/", reply(200, {"displayname": " Anna "}))
    )
    batch = provider_on(fake).receive("s1", wait=0.0)
    got = [(e.provider_id, e.text) for e in batch.events if isinstance(e, InboundMessage)]
    assert got == [
        ("$ok", "Guten Tag"),
        ("$img", "[Verschlüsselte Datei – hier nicht lesbar]"),  # no mxc URL: never fetched
        ("$size", ""),
    ]
    sized = batch.events[-1]
    assert isinstance(sized, InboundMessage) and sized.media is not None
    assert (sized.kind, sized.media.size, sized.media.filename) == (MessageKind.IMAGE, None, "b")
    assert {e.sender_name for e in batch.events} == {"Anna"}
    assert batch.cursor == "s2"


def test_an_invalid_cursor_names_the_cause() -> None:
    def sync(request: httpx.Request) -> httpx.Response:
        if "since" in request.url.params:  # a token of another server or provider
            return httpx.Response(400, json={"errcode": "M_INVALID_PARAM"})
        return httpx.Response(200, json={"next_batch": "s0"})

    fake = FakeHomeserver().on("GET", "/_matrix/client/v3/sync", sync)
    with pytest.raises(ProviderError, match="cursor does not belong"):
        provider_on(fake).receive("123", wait=0.0)


# --- media -------------------------------------------------------------------------------------


def media_ref(size: int | None = None) -> MediaRef:
    handle = MediaHandle(ROOM, "$img", "mxc://example.org/abc")
    return MediaRef(handle.pack(), "image/png", size, "foto.png")


def with_event(fake: FakeHomeserver) -> FakeHomeserver:
    content = {"msgtype": "m.image", "body": "foto.png", "url": "mxc://example.org/abc"}
    return fake.on("GET", "/_matrix/client/v3/rooms/", reply(200, {"content": content}))


def test_a_download_stops_as_soon_as_it_passes_the_limit() -> None:
    fake = with_event(FakeHomeserver()).on(
        "GET", "/_matrix/client/v1/media/download/", reply(200, b"x" * 5000)
    )
    with pytest.raises(ProviderError, match="larger than the limit"):
        provider_on(fake).download_media(media_ref(), max_bytes=4999)
    assert provider_on(fake).download_media(media_ref(), max_bytes=5000) == b"x" * 5000


def test_a_server_without_authenticated_media_is_read_the_legacy_way() -> None:
    fake = with_event(FakeHomeserver()).on(
        "GET", "/_matrix/media/v3/download/example.org/abc", reply(200, b"PNGDATA")
    )
    assert provider_on(fake).download_media(media_ref(), max_bytes=100) == b"PNGDATA"
    paths = [r.url.path for r in fake.requests if "media" in r.url.path]
    assert paths == [
        "/_matrix/client/v1/media/download/example.org/abc",
        "/_matrix/media/v3/download/example.org/abc",
    ]


def test_a_file_of_a_redacted_event_is_not_handed_out() -> None:
    fake = FakeHomeserver().on("GET", "/_matrix/client/v3/rooms/", reply(200, {"content": {}}))
    with pytest.raises(ProviderError, match="deleted"):
        provider_on(fake).download_media(media_ref(), max_bytes=100)
    assert not [r for r in fake.requests if "media" in r.url.path]


# --- deletion ----------------------------------------------------------------------------------


def test_a_rate_limited_redaction_is_raised_and_a_retry_does_not_stack_redactions() -> None:
    limited = reply(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 800})
    fake = FakeHomeserver().on(
        "PUT",
        "/_matrix/client/v3/rooms/",
        reply(200, {"event_id": "$r1"}),
        limited,
        reply(200, {"event_id": "$r2"}),
    )
    provider = provider_on(fake)
    with pytest.raises(ProviderError) as caught:
        provider.delete_messages(ROOM, ["$a", "$b"])
    assert (caught.value.retryable, caught.value.retry_after) == (True, 0.8)
    outcome = provider.delete_messages(ROOM, ["$a", "$b"])  # the purge's caller retries
    assert (outcome.requested, outcome.confirmed, outcome.failures) == (2, 2, ())
    paths = [r.url.raw_path.decode() for r in fake.requests if r.method == "PUT"]
    # The same txn id for the same event each time: the server answers a repeat from its cache.
    assert paths[0] == paths[2]
    assert paths[0].endswith("/redact/%24a/redact.%24a")


def test_refused_redactions_are_reported_without_ids() -> None:
    fake = FakeHomeserver().on(
        "PUT",
        "/_matrix/client/v3/rooms/",
        reply(403, {"errcode": "M_FORBIDDEN", "error": "You may not redact $b"}),
        reply(404, {"errcode": "M_NOT_FOUND"}),
    )
    outcome = provider_on(fake).delete_messages(ROOM, ["$b", "$c"])
    assert (outcome.requested, outcome.confirmed) == (2, 1)  # $c was purged already
    assert outcome.failures == ("the office may not redact in one chat (power level)",)


def test_capabilities_follow_the_server_admin_setting() -> None:
    member = provider_on(FakeHomeserver()).capabilities
    admin = provider_on(FakeHomeserver(), server_admin=True).capabilities
    assert (member.delete_reach, admin.delete_reach) == (
        DeleteReach.BOTH_SIDES,
        DeleteReach.SERVER_WIDE,
    )
    assert any("redaction_retention_period" in r for r in member.residual_retention)
    assert any("purged" in r for r in admin.residual_retention)
    assert member.idempotent_send and not member.announce
    with pytest.raises(ProviderError) as caught:
        provider_on(FakeHomeserver()).announce("Sprechstunde am Mittwoch", key="a1")
    assert "providers.matrix.broadcast_room" in caught.value.hint


# --- settings and login ------------------------------------------------------------------------

GOOD = {"homeserver": BASE, "user_id": ME}


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"user_id": ME}, "homeserver"),
        ({**GOOD, "homeserver": "matrix.example.org"}, "homeserver"),
        ({**GOOD, "homeserver": "https://user:pw@matrix.example.org"}, "homeserver"),
        ({**GOOD, "user_id": "buero"}, "user_id"),
        ({**GOOD, "server_admin": "yes"}, "server_admin"),
        ({**GOOD, "broadcast_room": "ankuendigungen"}, "broadcast_room"),
        ({**GOOD, "device_id": "a b"}, "device_id"),
        ({**GOOD, "token": "x"}, "token"),
    ],
)
def test_bad_settings_name_their_key(settings: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=f"providers.matrix.{key}:"):
        parse_settings(settings)


def test_settings_are_normalised() -> None:
    parsed = parse_settings({**GOOD, "homeserver": BASE + "/", "broadcast_room": "#a:example.org"})
    assert (parsed.homeserver, parsed.broadcast_room, parsed.server_admin) == (
        BASE,
        "#a:example.org",
        False,
    )


def test_create_without_a_token_says_how_to_log_in(tmp_path: Path) -> None:
    paths = resolve_paths()
    context = ProviderContext(paths, token=lambda: require_token("matrix", paths))
    with pytest.raises(AuthError) as caught:
        create(parse_settings(GOOD), context)
    assert "sprechstunde login matrix" in caught.value.hint


def test_password_login_returns_the_token_and_refuses_a_wrong_password() -> None:
    seen: list[dict[str, Any]] = []

    def server(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if body["password"] != "richtig":
            return httpx.Response(403, json={"errcode": "M_FORBIDDEN"})
        return httpx.Response(200, json={"user_id": ME, "access_token": TOKEN})

    paths = resolve_paths()
    context = ProviderContext(
        paths, token=lambda: require_token("matrix", paths), transport=httpx.MockTransport(server)
    )
    with_device = parse_settings({**GOOD, "device_id": "SPRECH"})
    token = login_with_password(with_device, ME, "richtig", context)
    assert token.reveal() == TOKEN
    assert seen[0]["device_id"] == "SPRECH"  # the same device keeps the txn-id scope
    with pytest.raises(AuthError) as caught:
        login_with_password(parse_settings(GOOD), ME, "falsch", context)
    assert "falsch" not in f"{caught.value.message} {caught.value.hint}"


def test_a_rate_limited_join_waits_as_told_before_any_further_join() -> None:
    limited = reply(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 5000})
    fake = FakeHomeserver().on(
        "POST", "/_matrix/client/v3/join/", limited, reply(200, {"room_id": ROOM})
    )
    timer = StepTimer()
    rooms = provider_on(fake, timer).rooms
    invites = {"!a:example.org": {}, "!b:example.org": {}}

    def joins() -> int:
        return sum(1 for r in fake.requests if r.method == "POST" and "/join/" in str(r.url))

    assert rooms.accept_invites(invites) is False
    assert joins() == 1  # the first refusal stops the round: no hammering the other room
    timer.now += 4.9
    assert rooms.accept_invites({}) is False and joins() == 1  # still inside the wait
    timer.now += 0.2
    assert rooms.accept_invites({}) is True and joins() == 3  # both invites, once each
