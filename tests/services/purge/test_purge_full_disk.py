"""A purge that meets a full disk stops with the error, deletes nothing it has not recorded, and
completes on a re-run once there is room."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Direction, MessageKind, SessionState
from sprechstunde_cli.errors import DiskFullError, ExitCode
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services import purge as purge_mod
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.store import Store, purging
from sprechstunde_cli.system import disk
from sprechstunde_cli.system.paths import key_dir_for
from tests.support.clocks import IN_THE_HOUR, FakeClock, StepTimer
from tests.support.disk import FullDisk
from tests.support.service_rig import make_config

CITIZENS = 8
# Every body is kept sealed as a needle until verification: the needles need many new pages.
LONG = "Frage zum Bebauungsplan Nord, Flurstück 12/3. " + "Mit freundlichen Grüßen. " * 160


@dataclass
class Closed:
    data: Path
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    places: Places
    lock_timer: StepTimer

    def purge(self) -> dict[str, Any]:
        receipt = purge(
            self.store,
            self.provider,
            self.config,
            "mittwoch",
            self.clock,
            places=self.places,
            mailer=None,
        )
        return receipt.to_json()


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[Closed]:
    data = tmp_path / "data"
    lock_timer = StepTimer()
    store = Store.open(data / "sprechstunde.db", timer=lock_timer)
    clock = FakeClock(IN_THE_HOUR)
    messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
    provider = LocalProvider(messenger)
    config = make_config(max_message_chars=10_000)
    places = Places(
        data_dir=data,
        session_dir=data / "sessions" / "mittwoch",
        log_file=data / "log" / "sprechstunde.log",
        export_dir=tmp_path / "export",
    )
    hour.open_session(store, config.session("mittwoch"), clock.now(), actor="t")
    for n in range(CITIZENS):
        messenger.citizen_send(f"c{n}", f"{n}: {LONG}")
    messenger.citizen_send(
        "foto", "Das Schlagloch", kind=MessageKind.IMAGE, media=make_png(30, 20, (5, 6, 7))
    )
    running = hour.Hour(store, provider, config, "mittwoch", places.session_dir / "media")
    running.step(clock.now(), 0)
    closing.close(
        store, provider, config, "mittwoch", clock, actor="t", export_dir=places.export_dir
    )
    yield Closed(data, store, messenger, provider, config, clock, places, lock_timer)
    store.close()
    messenger.close()


def _inbound(store: Store) -> int:
    return sum(1 for m in store.messages("mittwoch") if m.direction is Direction.IN)


def test_a_purge_on_a_full_disk_stops_named_and_finishes_on_the_rerun(closed: Closed) -> None:
    disk = FullDisk(closed.store)
    assert disk.fill() * disk.page_size < len(LONG) * CITIZENS
    chats_before = closed.messenger.chats()
    with pytest.raises(DiskFullError) as err:
        closed.purge()
    assert err.value.exit_code is ExitCode.NO_SPACE
    assert str(closed.data) in err.value.message
    assert "at least 100 MB" in err.value.hint
    assert closed.lock_timer.slept == []  # said at once, not after a lock wait

    # Nothing deleted, anywhere, and what the re-run needs is kept.
    assert closed.store.require_session("mittwoch").state is SessionState.CLOSED
    assert _inbound(closed.store) == CITIZENS + 1
    assert closed.messenger.chats() == chats_before
    assert (key_dir_for(closed.data) / "mittwoch.key").exists()
    assert len(list((closed.places.session_dir / "media").iterdir())) == 1
    progress = purging.load_progress(closed.store, "mittwoch")
    assert progress.counts is not None and progress.counts["messages_in"] == CITIZENS + 1
    assert not progress.verified and progress.providers == ()
    assert purging.load_needles(closed.store, "mittwoch") is None  # where the disk was full
    assert not closed.store.conn.in_transaction

    disk.make_room()
    receipt = closed.purge()
    assert receipt["verification"]["result"] == "clean"
    assert receipt["counts"]["messages_in"] == CITIZENS + 1
    assert receipt["counts"]["photos"] == 1
    assert receipt["providers"][0]["ok"] and receipt["providers"][0]["remaining"] == 0
    assert closed.store.require_session("mittwoch").state is SessionState.PURGED
    assert closed.messenger.chats() == []
    assert not (key_dir_for(closed.data) / "mittwoch.key").exists()
    assert not closed.places.session_dir.exists()


@pytest.mark.parametrize("point", ["scan", "build_receipt"])
def test_what_was_deleted_before_the_disk_filled_is_in_the_receipt_of_the_rerun(
    closed: Closed, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """The disk fills after the local deletion (the verification, or the receipt, finds no
    room): the re-run reports what the first run deleted, not what it finds left."""
    real = getattr(purge_mod, point)
    media = closed.places.session_dir / "media"
    sizes = [p.stat().st_size for p in media.iterdir()]

    def then_full(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise disk.disk_full(closed.data)

    monkeypatch.setattr(purge_mod, point, then_full)
    with pytest.raises(DiskFullError):
        closed.purge()
    monkeypatch.setattr(purge_mod, point, real)
    receipt = closed.purge()
    here = {s["store"]: s for s in receipt["stores"]}
    assert here["media folder"]["files"] == 1 and here["media folder"]["bytes"] == sum(sizes)
    assert here["session key"]["destroyed"] is True
