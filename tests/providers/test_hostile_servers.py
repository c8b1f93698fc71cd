"""Every HTTP adapter against a hostile server: WAHA, the Matrix client, Mastodon.

Each operation that speaks HTTP (receive, send, delete, the checks of `doctor`, posting an
announcement) meets each trick of tests/support/fakes/hostile.py: an echo of our credentials
in every field of a failure or a success, half a gigabyte claimed or streamed, a body that
drips, a server that goes quiet, a body that is no gzip, a gzip bomb. It must come back with a
result or a ProviderError with a documented exit code (never a crash), hold no credential in
any form in its message, hint or result, have read a bounded part of the body, have asked for
every answer uncompressed, and have taken a bounded time.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sprechstunde_cli.adapters.mastodon import MastodonClient
from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.base import ProviderContext
from sprechstunde_cli.providers.matrix import provider as matrix
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.providers.waha import provider as waha
from sprechstunde_cli.system.credentials import Secret
from sprechstunde_cli.system.paths import resolve_paths
from tests.providers.test_http import SERVICE
from tests.support.clocks import StepTimer
from tests.support.fakes.hostile import HostileServer, Trick
from tests.support.leaks import found_in
from tests.support.waha_rig import waha_rig

# Identifier-like on purpose: a server can hand these back as an `errcode`.
WAHA_KEY = "CanaryWahaKey5f3a9e0b7c"
MATRIX_TOKEN = "syt_Q0FOQVJZ_canary5f3a9e_0b7c1d"
MASTODON_TOKEN = "CANARY-mastodon-5f3a+9e/0b=7c"
SECRETS = (WAHA_KEY, MATRIX_TOKEN, MASTODON_TOKEN)
CHAT = "491700000001@c.us"
USER = "@buergermeisterin:example.org"
ROOM = "!sprechstunde:example.org"
EVENT = "$abc:example.org"
# One answer's body read within the caps of providers/http.py: 16 MiB, 64 KiB of a failure.
READ_AT_MOST = 16 * 1024 * 1024 + 128 * 1024
TIMEOUT = 0.25  # the request timeout where the adapter takes one: a DRIP is cut after 4×

TRICKS = [
    pytest.param(Trick.ECHO, status, id=f"echo-{status}")
    for status in (200, 401, 403, 404, 422, 429, 500)
] + [
    pytest.param(Trick.HUGE, 200, id="huge-200"),
    pytest.param(Trick.HUGE, 500, id="huge-500"),
    pytest.param(Trick.ENDLESS, 200, id="endless-200"),
    pytest.param(Trick.STALL, 200, id="stall"),
    pytest.param(Trick.BAD_GZIP, 200, id="bad-gzip-200"),
    pytest.param(Trick.BAD_GZIP, 500, id="bad-gzip-500"),
    pytest.param(Trick.GZIP_BOMB, 200, id="gzip-bomb-200"),
]
DRIP = pytest.param(Trick.DRIP, 200, id="drip")

Operation = Callable[[Any], object]


def assert_harmless(server: HostileServer, run: Callable[[], object]) -> None:
    started = time.monotonic()
    try:
        outcome: object = run()
        said = repr(outcome)
    except ProviderError as err:
        assert err.exit_code in (ExitCode.PROVIDER, ExitCode.AUTH), err.message
        assert err.message and err.hint
        said = f"{err.message} {err.hint} {err!r} {err}"
    assert found_in(said.encode("utf-8"), SECRETS) == []
    assert server.tricked, "the hostile server was never asked"
    # Every request asked for the answer uncompressed (a bomb is refused by asking, too).
    assert set(server.encodings) == {"identity"}
    assert server.served <= len(server.tricked) * READ_AT_MOST  # each answer read bounded
    assert time.monotonic() - started < 30


# --- WAHA --------------------------------------------------------------------------------------


@pytest.fixture
def waha_provider(isolated: Path) -> Iterator[Callable[[HostileServer], waha.WahaProvider]]:
    with waha_rig("WEBJS", api_key=WAHA_KEY) as rig:
        made: list[waha.WahaProvider] = []

        def make(server: HostileServer) -> waha.WahaProvider:
            server.inner = httpx.MockTransport(rig.fake)
            settings = dataclasses.replace(rig.settings, timeout_seconds=TIMEOUT)
            context = ProviderContext(
                paths=resolve_paths(),
                token=lambda: Secret(WAHA_KEY),  # as the keyring hands it out
                transport=server,
                timer=StepTimer(),
            )
            provider = waha.create(settings, context)
            provider.sender.pause = lambda _seconds: None
            provider.sender.wrote_first.add(CHAT)
            made.append(provider)
            return provider

        yield make
        for provider in made:
            provider.close()


WAHA_OPERATIONS: dict[str, Operation] = {
    "receive": lambda p: p.receive(None, 0.0),
    "send": lambda p: p.send_text(CHAT, "Guten Tag", "sprechstunde.test.1"),
    "delete": lambda p: p.delete_messages(CHAT, [f"true_{CHAT}_ABCDEF"]),
    "delete-chat": lambda p: p.delete_chat(CHAT),
    "check": lambda p: p.check(),
    "status": lambda p: p.announce("Sprechstunde heute", "sprechstunde.test.2"),
}


@pytest.mark.parametrize(("trick", "status"), [*TRICKS, DRIP])
@pytest.mark.parametrize("operation", list(WAHA_OPERATIONS))
def test_waha_against_a_hostile_server(
    waha_provider: Callable[[HostileServer], waha.WahaProvider],
    operation: str,
    trick: Trick,
    status: int,
) -> None:
    server = HostileServer().on(trick, status=status, path="^/api/")
    provider = waha_provider(server)
    assert_harmless(server, lambda: WAHA_OPERATIONS[operation](provider))


# --- Matrix -------------------------------------------------------------------------------------


def homeserver_stub(request: httpx.Request) -> httpx.Response:
    """Just enough of a homeserver to get past the account check to the hostile part."""
    if request.url.path.endswith("/account/whoami"):
        # A token from a login names its device: the office's encrypted device starts on it.
        return httpx.Response(200, json={"user_id": USER, "device_id": "OFFICEDEVICE"})
    return httpx.Response(404, json={"errcode": "M_UNRECOGNIZED"})


MATRIX_OPERATIONS: dict[str, Operation] = {
    "receive": lambda p: p.receive(None, 0.0),
    "send": lambda p: p.send_text(ROOM, "Guten Tag", "sprechstunde.test.1"),
    "delete": lambda p: p.delete_messages(ROOM, [EVENT]),
    "delete-chat": lambda p: p.delete_chat(ROOM),
    "remaining": lambda p: p.remaining(ROOM, [EVENT]),
    "check": lambda p: p.check(),
}


@pytest.mark.parametrize(("trick", "status"), TRICKS)
@pytest.mark.parametrize("operation", list(MATRIX_OPERATIONS))
def test_the_matrix_client_against_a_hostile_server(
    isolated: Path, operation: str, trick: Trick, status: int
) -> None:
    server = HostileServer(httpx.MockTransport(homeserver_stub))
    server.on(trick, status=status, path=r"^/_matrix/client/(?!v3/account/whoami)")
    context = ProviderContext(
        paths=resolve_paths(),
        token=lambda: Secret(MATRIX_TOKEN),
        transport=server,
        timer=StepTimer(),
    )
    settings = MatrixSettings(homeserver="https://matrix.example.org", user_id=USER)
    with matrix.create(settings, context) as provider:
        assert_harmless(server, lambda: MATRIX_OPERATIONS[operation](provider))


# --- Mastodon -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("trick", "status"), [*TRICKS, DRIP])
def test_mastodon_against_a_hostile_server(isolated: Path, trick: Trick, status: int) -> None:
    server = HostileServer().on(trick, status=status)
    client = MastodonClient(
        "https://social.example.org", Secret(MASTODON_TOKEN), transport=server, timeout=TIMEOUT
    )
    try:
        assert_harmless(server, lambda: client.post("Sprechstunde heute", key="k1"))
    finally:
        client.close()


# --- what the server said is gone, not only hidden ---------------------------------------------


def test_an_echoed_token_is_never_kept_as_an_errcode(isolated: Path) -> None:
    server = HostileServer().on(Trick.ECHO, status=403)
    secret = Secret(MATRIX_TOKEN)
    with httpx.Client(base_url="https://matrix.example.org", transport=server) as client:
        headers = {"Authorization": f"Bearer {secret.reveal()}"}
        with pytest.raises(http.Forbidden) as caught:
            http.request(client, "GET", "/x", "the test", SERVICE, headers=headers)
    assert caught.value.code == ""  # the echo's errcode was the token: dropped
    assert caught.value.message == "Testdienst forbade the test (HTTP 403)."
