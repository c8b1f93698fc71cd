"""providers/matrix/admin.py where a real Synapse cannot be made to misbehave on cue: a room
purge that Synapse reports failed (its "Users are still joined to this room", when a client
joins while the shutdown kicks everyone out).

The answers follow Synapse's admin API documentation for `DELETE /_synapse/admin/v2/rooms/…`
and `GET …/delete_status/<delete_id>`; the happy path runs against a real Synapse in
test_synapse.py.
"""

from __future__ import annotations

import json

import httpx
import pytest

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.matrix.admin import purge_room
from sprechstunde_cli.providers.matrix.client import MatrixApi
from tests.support.clocks import StepTimer

ROOM = "!frage:example.org"


class Homeserver:
    """The admin endpoints of one room whose regular purges fail `failures` times."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.deletes: list[dict[str, object]] = []
        self.gone = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "DELETE" and path.startswith("/_synapse/admin/v2/rooms/"):
            self.deletes.append(json.loads(request.content))
            return httpx.Response(200, json={"delete_id": f"d{len(self.deletes)}"})
        if path.startswith("/_synapse/admin/v2/rooms/delete_status/"):
            body = self.deletes[int(path.rsplit("/d", 1)[1]) - 1]
            failed = not body["force_purge"] and self.failures > 0
            if failed:
                self.failures -= 1
            else:
                self.gone = True
            return httpx.Response(200, json={"status": "failed" if failed else "complete"})
        if path.endswith("/media"):
            return httpx.Response(200, json={"local": [], "remote": []})
        if path.startswith("/_synapse/admin/v1/rooms/"):
            if self.gone:
                return httpx.Response(404, json={"errcode": "M_NOT_FOUND"})
            return httpx.Response(200, json={"room_id": ROOM})
        return httpx.Response(404, json={"errcode": "M_UNRECOGNIZED"})


def purge(server: Homeserver) -> None:
    transport = httpx.MockTransport(server)
    with httpx.Client(base_url="http://127.0.0.1:8008", transport=transport) as client:
        purge_room(MatrixApi(client), ROOM, StepTimer())


def test_a_failed_purge_is_forced_once_as_synapse_advises() -> None:
    server = Homeserver(failures=1)
    purge(server)
    assert [d["force_purge"] for d in server.deletes] == [False, True]
    assert all(d["purge"] is True for d in server.deletes)
    assert server.gone


def test_a_regular_purge_is_not_forced() -> None:
    server = Homeserver(failures=0)
    purge(server)
    assert [d["force_purge"] for d in server.deletes] == [False]


def test_a_purge_that_fails_forced_too_is_reported() -> None:
    server = Homeserver(failures=1)

    def always_failing(request: httpx.Request) -> httpx.Response:
        if "delete_status" in request.url.path:
            return httpx.Response(200, json={"status": "failed"})
        return server(request)

    transport = httpx.MockTransport(always_failing)
    with (
        httpx.Client(base_url="http://127.0.0.1:8008", transport=transport) as client,
        pytest.raises(ProviderError) as raised,
    ):
        purge_room(MatrixApi(client), ROOM, StepTimer())
    assert raised.value.message == "The homeserver's room purge failed."
    assert len(server.deletes) == 2
