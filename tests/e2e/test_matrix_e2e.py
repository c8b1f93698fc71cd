"""An end-to-end encrypted hour through the CLI on a real Synapse, with a matrix-nio (e2e) citizen
as Element would be: `open` reads the encrypted chat and greets encrypted, `reply` (its own
device state, the shared crypto store) answers, `close --purge` destroys the room keys, and
afterwards no file of the tool — the crypto store included — holds the citizen's words."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import nio
import pytest

from sprechstunde_cli.providers.matrix.crypto import STORE_FILE
from tests.e2e.test_matrix import matrix_config
from tests.support.cli import Sp
from tests.support.clocks import FakeClock
from tests.support.leaks import found_in_tree
from tests.support.nio_e2e import E2ECitizen
from tests.support.synapse import Synapse, unique


@pytest.fixture
def citizen(synapse_server: Synapse, tmp_path: Path) -> Iterator[E2ECitizen]:
    account = synapse_server.register(unique("citizen"), name="Anna Beispiel")
    # Outside the tool's folders: the citizen's app keeps its own copies, as a phone does.
    found = E2ECitizen(synapse_server, account, tmp_path.parent / f"{tmp_path.name}-phone")
    yield found
    found.close()


def test_an_encrypted_hour_leaves_no_plaintext_and_no_room_key(
    synapse_server: Synapse,
    citizen: E2ECitizen,
    sp: Sp,
    clock: FakeClock,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office = synapse_server.register(unique("office"), name="Bürgerbüro")
    matrix_config(isolated / "config.toml", synapse_server, office, admin=False)
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", office.access_token)
    canary = f"Kanarienvogel{secrets.token_hex(12)}"

    sp("open", "mittwoch", "--once")  # the office's device keys go up
    room = citizen.create_dm(office.user_id)
    citizen.send_text(room, f"Der Gehweg ist kaputt. {canary}")
    for _ in range(5):
        opened = sp("open", "mittwoch", "--once")
        if "New thread 1" in opened.stdout:
            break
    shown = sp("show", "1").stdout
    assert f"Der Gehweg ist kaputt. {canary}" in shown
    assert "Verschlüsselte Nachricht" not in shown

    sp("reply", "1", f"Danke, wir schicken jemanden vorbei. {canary}")
    texts = [e.body for e in citizen.received(room) if isinstance(e, nio.RoomMessageText)]
    assert texts[0].startswith("Guten Tag und willkommen")  # the greeting, decrypted
    assert f"Danke, wir schicken jemanden vorbei. {canary}" in texts

    crypto_dir = isolated / "data" / "matrix-crypto"
    held = (crypto_dir / STORE_FILE).read_bytes()
    assert canary.encode() not in held
    assert citizen.account.user_id.encode() in held  # the citizen's devices, until the purge
    clock.advance(minutes=5)
    closed = sp("close", "--purge")
    assert "Closed session 'mittwoch'" in closed.stdout
    assert "key backup" in sp("receipt", "mittwoch").stdout

    from sprechstunde_cli.providers.matrix import crypto_store
    from sprechstunde_cli.providers.matrix.crypto import pickle_key

    store = nio.store.SqliteStore(
        office.user_id,
        office.device_id,
        str(crypto_dir),
        pickle_key=pickle_key(isolated / "data-keys"),
        database_name=STORE_FILE,
    )
    try:
        assert crypto_store.room_key_count(store, room) == 0
    finally:
        store.database.close()
    # Nothing of the citizen anywhere: no text, and not even their Matrix ID or device name
    # (the crypto store forgets the citizens' devices with the room keys).
    assert found_in_tree(isolated, [canary, citizen.account.user_id]) == {}
