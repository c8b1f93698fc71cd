"""`reply` on a full disk or against another operator's claim: the thread stays as it was
(unclaimed, nothing queued) and no copy of the attachment is left behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ConflictError, DiskFullError
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.store import Store
from tests.support.disk import DiskOfSize, FullDisk
from tests.support.service_rig import Rig, rig_on

SID = "mittwoch"
CITIZEN = "+49 170 0000301"  # fictitious
# Longer than every page SQLite still has free: queuing it needs new pages.
LONG = "Sehr geehrte Frau Beispiel, zu Ihrer Frage nach dem Bauantrag: " + "Einzelheiten " * 2000


@pytest.fixture
def media_disk() -> DiskOfSize:
    return DiskOfSize(room=10**6)


@pytest.fixture
def rig(tmp_path: Path, media_disk: DiskOfSize) -> Iterator[Rig]:
    data = tmp_path / "data"
    store = Store.open(data / "sprechstunde.db", sink=media_disk)
    built = rig_on(store, data)
    built.open()
    built.messenger.citizen_send(CITIZEN, "Ist mein Bauantrag vollständig?")
    built.step()
    yield built
    built.messenger.close()
    store.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "plan.png"
    path.write_bytes(make_png(12, 10, (1, 2, 3)))
    return path


def as_it_was(rig: Rig) -> None:
    """Unclaimed, unanswered, nothing queued for the citizen, no copy of the file here."""
    thread = rig.store.thread(SID, 1)
    assert thread.claimed_by is None
    assert [r.answered for r in rig.store.thread_rows(SID)] == [False]
    queued = rig.store.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE purpose = 'reply'"
    ).fetchone()[0]
    assert queued == 0
    assert not rig.media_dir.exists() or list(rig.media_dir.iterdir()) == []


def test_a_full_disk_for_the_attachment_leaves_the_thread_unclaimed(
    rig: Rig, media_disk: DiskOfSize, photo: Path
) -> None:
    media_disk.room = 0
    with pytest.raises(DiskFullError) as err:
        rig.reply(1, "Der Plan", operator="anna", attachment=photo)
    assert str(rig.media_dir) in err.value.message
    as_it_was(rig)

    media_disk.make_room()  # the operator frees space and sends the same reply again
    assert rig.reply(1, "Der Plan", operator="anna", attachment=photo).delivered
    assert rig.store.thread(SID, 1).claimed_by == "anna"
    assert len(list(rig.media_dir.iterdir())) == 1


def test_a_full_store_for_the_reply_leaves_neither_claim_nor_copy(rig: Rig, photo: Path) -> None:
    disk = FullDisk(rig.store)
    assert disk.fill() * disk.page_size < len(LONG)
    with pytest.raises(DiskFullError):
        rig.reply(1, LONG, operator="anna", attachment=photo)
    as_it_was(rig)
    assert not rig.store.conn.in_transaction

    disk.make_room()
    assert rig.reply(1, LONG, operator="anna", attachment=photo).delivered
    assert rig.store.thread(SID, 1).claimed_by == "anna"


def test_a_claim_by_someone_else_removes_the_copy_again(rig: Rig, photo: Path) -> None:
    rig.store.claim(SID, 1, "bernd", rig.clock.now())
    with pytest.raises(ConflictError) as err:
        rig.reply(1, "Der Plan", operator="anna", attachment=photo)
    assert "bernd" in err.value.message and "--force" in err.value.hint
    assert rig.store.thread(SID, 1).claimed_by == "bernd"
    assert not rig.media_dir.exists() or list(rig.media_dir.iterdir()) == []
