"""End to end on a real Synapse: two citizens, the whole hour through the CLI, then the proof.

The office runs its own homeserver and is its admin, so the purge deletes the rooms there;
afterwards the admin API lists no room and no file of Synapse's holds the canary any more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.system.credentials import token_for
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.cli import EXAMPLE_CONFIG, Sp, real_time_servers
from tests.support.clocks import FakeClock
from tests.support.contract import PNG
from tests.support.matrix_citizens import MatrixCitizens
from tests.support.synapse import Account, Synapse, q, unique
from tests.support.synapse_fixtures import require_synapse


@pytest.fixture
def own_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A homeserver of this test's own: its data dir is searched byte by byte at the end."""
    server = Synapse(tmp_path_factory.mktemp("own-synapse"), require_synapse()).start()
    yield server
    server.stop()


def matrix_config(path: Path, server: Synapse, office: Account, *, admin: bool = True) -> None:
    config = real_time_servers(EXAMPLE_CONFIG).replace('provider = "local"', 'provider = "matrix"')
    config += (
        "\n[providers.matrix]\n"
        f'homeserver = "{server.url}"\n'
        f'user_id = "{office.user_id}"\n'
        f"server_admin = {'true' if admin else 'false'}\n"
        f'device_id = "{office.device_id}"\n'
    )
    path.write_text(config, encoding="utf-8")


def files_holding(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path.relative_to(root)}: {n!r}" for n in needles if n in data]
    return found


def test_a_whole_hour_on_synapse_leaves_nothing_on_the_server(
    own_synapse: Synapse,
    sp: Sp,
    clock: FakeClock,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office = own_synapse.register(unique("office"), admin=True, name="Bürgerbüro")
    matrix_config(isolated / "config.toml", own_synapse, office)
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", office.access_token)
    canary_hex = secrets.token_hex(12)
    canary = f"Kanarienvogel{canary_hex}"
    citizens = MatrixCitizens(own_synapse, office.user_id)
    anna, bernd = citizens.chat_id("anna"), citizens.chat_id("bernd")
    citizens.send_text("anna", f"Der Gehweg am Musterweg ist kaputt. {canary}")
    citizens.send_image("anna", PNG, f"Foto vom Gehweg {canary}")
    citizens.send_text("bernd", "Wann kommt der neue Spielplatz?")

    opened = sp("open", "mittwoch", "--once")
    assert "Opened session 'mittwoch' on matrix" in opened.stdout
    for _ in range(5):  # the first round joins the rooms; their history may come next round
        if "New thread 2" in opened.stdout or "3 new message" in opened.stdout:
            break
        opened = sp("open", "mittwoch", "--once")
    shown = sp("threads").stdout
    assert "Anna" in shown and "Bernd" in shown
    assert canary not in shown  # the overview shows no message bodies
    # Numbered in order of first contact, whichever room the server listed first.
    rows = [line.split() for line in shown.splitlines()[2:]]
    assert [(r[0], r[1]) for r in rows] == [("1", "Anna"), ("2", "Bernd")]
    greeting = "Guten Tag und willkommen"
    assert [t[: len(greeting)] for t in citizens.phone("anna")] == [greeting]
    assert [t[: len(greeting)] for t in citizens.phone("bernd")] == [greeting]

    sp("reply", "1", f"Danke, wir schicken jemanden vorbei. {canary}")
    sp("open", "mittwoch", "--once")  # delivers what the outbox holds
    assert f"Danke, wir schicken jemanden vorbei. {canary}" in citizens.phone("anna")

    clock.advance(minutes=5)
    closed = sp("close", "--purge")
    assert "Closed session 'mittwoch'" in closed.stdout

    staff = own_synapse.client(office)
    for room in (anna, bernd):
        assert staff.admin("GET", f"/v1/rooms/{q(room)}").status_code == 404
    staff.close()
    citizens.close()
    own_synapse.checkpoint()
    needles = [canary.encode(), canary.lower().encode(), canary_hex.encode()]
    assert files_holding(own_synapse.root, needles) == []


def test_login_with_a_password_stores_a_token_for_the_same_device(
    synapse_server: Synapse, sp: Sp, isolated: Path
) -> None:
    office = synapse_server.register(unique("office"))
    matrix_config(isolated / "config.toml", synapse_server, office, admin=False)
    # The user ID defaults to the configured one: an empty answer takes it.
    result = sp("login", "matrix", "--password", input=f"\n{office.password}\n")
    assert "Stored the token for matrix" in result.stdout
    assert office.password not in result.stdout + result.stderr
    token = token_for("matrix", resolve_paths())
    assert token is not None and token.reveal() != office.access_token
    who = httpx.get(
        f"{synapse_server.url}/_matrix/client/v3/account/whoami",
        headers={"Authorization": f"Bearer {token.reveal()}"},
    ).json()
    assert (who["user_id"], who["device_id"]) == (office.user_id, office.device_id)
    refused = sp("login", "matrix", "--password", input="\nfalsch\n", expect=6)
    assert "refused the login" in refused.stderr
