"""The purge and the office's own texts: a reply never sent and a hand-off's note are searched
for like citizen content, and once the key is destroyed no copy of the store opens them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sprechstunde_cli.domain.handoffs import Consent
from sprechstunde_cli.errors import IncompleteError, ProviderError, StoreError
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import handoff
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.store import Store, handoffs, outbox
from sprechstunde_cli.system.paths import key_dir_for
from tests.support.handoff_rig import make_config
from tests.support.service_rig import Rig

SID = "mittwoch"
CITIZEN = "+49 170 0000201"  # fictitious
UNSENT = "Unversandt-Kanarie: Ihr Bauantrag ist vollständig."
NOTE = "Notiz-Kanarie: Rückruf nach 17 Uhr"


class Refusing(LocalProvider):
    """A messenger that refuses one text for good: the reply stays in the outbox, failed."""

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        if text == UNSENT:
            raise ProviderError("refused", retryable=False)
        return super().send_text(chat, text, key)


@pytest.fixture
def places(rig: Rig, tmp_path: Path) -> Places:
    """A closed session: one reply failed for good, one hand-off exported at close."""
    rig.config = make_config()
    rig.open()
    rig.messenger.citizen_send(CITIZEN, "Ist mein Bauantrag vollständig?")
    rig.step()
    assert rig.reply(1, UNSENT, provider=Refusing(rig.messenger)).state == outbox.FAILED
    handoff.record(
        rig.store,
        rig.provider,
        rig.config,
        rig.session,
        1,
        department="Tiefbauamt",
        email="kanarie.bauherrin@example.org",
        note=NOTE,
        consent=Consent.OPERATOR,
        operator="mia",
        now=rig.clock.now(),
    )
    exports = tmp_path / "exports"
    closing.close(
        rig.store, rig.provider, rig.config, SID, rig.clock, actor="t", export_dir=exports
    )
    data = rig.store.path.parent
    return Places(data, rig.session_dir, data / "log" / "sprechstunde.log", exports)


def run_purge(rig: Rig, places: Places) -> None:
    purge(rig.store, rig.provider, rig.config, SID, rig.clock, places=places, mailer=None)


@pytest.mark.parametrize("leaked", [UNSENT, NOTE])
def test_a_leaked_copy_of_an_office_text_fails_the_verification(
    rig: Rig, places: Places, leaked: str
) -> None:
    assert outbox.queued_texts(rig.store, SID) == [UNSENT]  # it never left the outbox
    places.log_file.parent.mkdir(parents=True, exist_ok=True)
    places.log_file.write_text(f"kopiert: {leaked}", encoding="utf-8")
    with pytest.raises(IncompleteError) as err:
        run_purge(rig, places)
    assert places.log_file.name in err.value.message
    assert (key_dir_for(places.data_dir) / f"{SID}.key").exists()  # kept: nothing is lost
    places.log_file.write_text("", encoding="utf-8")
    run_purge(rig, places)
    assert not (key_dir_for(places.data_dir) / f"{SID}.key").exists()


def test_a_copy_of_the_store_from_before_the_purge_opens_nothing_after_it(
    rig: Rig, places: Places, tmp_path: Path
) -> None:
    # What an SSD's spare blocks or a snapshot could keep: the store and its WAL as they were.
    kept = tmp_path / "snapshot"
    kept.mkdir()
    for name in (rig.store.path.name, f"{rig.store.path.name}-wal"):
        shutil.copy2(rig.store.path.parent / name, kept / name)
    run_purge(rig, places)

    raw = b"".join(p.read_bytes() for p in kept.iterdir())
    for text in (UNSENT, NOTE):
        assert text.encode() not in raw and text.encode("utf-16-le") not in raw
    snapshot = Store.open(kept / rig.store.path.name, key_dir_for(places.data_dir))
    try:
        assert snapshot.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] > 0
        for read in (
            lambda: outbox.queued_texts(snapshot, SID),
            lambda: handoffs.of_session(snapshot, SID),
            lambda: snapshot.messages(SID),
        ):
            with pytest.raises(StoreError) as err:
                read()
            assert "purged" in err.value.message
    finally:
        snapshot.close()
