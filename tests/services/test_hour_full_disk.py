"""`open` on a full disk or a read-only store: named, nothing half-stored, the cursor kept, and
every message taken in exactly once when there is room again."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.errors import DiskFullError, ProviderError, ReadOnlyError
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.base.events import ReceiveBatch
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.store import Store
from tests.support.clocks import StepTimer
from tests.support.disk import DiskOfSize, FullDisk, read_only_store
from tests.support.service_rig import Rig, rig_on

# Long enough that a batch of them needs new pages whatever SQLite still has free.
LONG = "Sehr geehrte Damen und Herren, meine Frage zur Müllabfuhr: " + "bitte " * 600
CITIZENS = 6


@dataclass
class Office:
    rig: Rig
    running: hour.Hour
    lock_timer: StepTimer  # the store's: it counts every wait for a lock
    disk: FullDisk
    media_disk: DiskOfSize

    def step(self) -> hour.StepReport:
        return self.running.step(self.rig.clock.now(), wait=0.0)

    def later(self) -> hour.StepReport:
        """The next step after any pause the hour took (the backoff caps at 30 s)."""
        self.rig.clock.advance(seconds=31)
        return self.step()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    data = tmp_path / "data"
    lock_timer, media_disk = StepTimer(), DiskOfSize(room=10**6)
    store = Store.open(data / "sprechstunde.db", timer=lock_timer, sink=media_disk)
    rig = rig_on(store, data)
    rig.open()
    running = hour.Hour(
        store, rig.provider, rig.config, "mittwoch", rig.media_dir, timer=StepTimer()
    )
    yield Office(rig, running, lock_timer, FullDisk(store), media_disk)
    rig.messenger.close()
    store.close()


class CountingReceives:
    """The local messenger, counting how often it is asked for events."""

    def __init__(self, inner: LocalProvider) -> None:
        self.inner = inner
        self.asked = 0

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        self.asked += 1
        return self.inner.receive(cursor, wait)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class AwayReceives(CountingReceives):
    """The local messenger while its event stream cannot be reached (sending still works)."""

    def receive(self, cursor: str | None, wait: float) -> ReceiveBatch:
        self.asked += 1
        raise ProviderError("The messenger did not answer.", "Wait.", retryable=True)


class SendsNothing(LocalProvider):
    """What `reply` in another terminal met: its first attempt failed, the row stays queued."""

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        raise ProviderError("The messenger did not answer.", "Wait.", retryable=True)


def _write(office: Office, *, photos: int = 0) -> None:
    for n in range(CITIZENS):
        office.rig.messenger.citizen_send(f"c{n}", f"{n}: {LONG}")
    for n in range(photos):
        office.rig.messenger.citizen_send(
            f"p{n}",
            f"Foto {n}",
            kind=MessageKind.IMAGE,
            media=make_png(20 + n, 20, (n, 2, 3)),
            mime="image/png",
        )


def _taken_once(office: Office, *, photos: int = 0, extra: Sequence[str] = ()) -> None:
    """Every message stored once, every citizen greeted once."""
    inbound = [m.body for m in office.rig.store.messages("mittwoch") if m.direction is Direction.IN]
    expected = [f"{n}: {LONG}" for n in range(CITIZENS)] + [f"Foto {n}" for n in range(photos)]
    expected += extra
    assert sorted(inbound) == sorted(expected)
    handles = [f"c{n}" for n in range(CITIZENS)] + [f"p{n}" for n in range(photos)]
    for handle in handles:
        assert sum(t.startswith("Guten Tag und willkommen") for t in office.rig.phone(handle)) == 1


def test_a_full_disk_during_intake_keeps_the_cursor_and_takes_everything_once_later(
    office: Office,
) -> None:
    _write(office)
    assert office.disk.fill() * office.disk.page_size < len(LONG) * CITIZENS
    cursor = office.rig.store.cursor("mittwoch")

    report = office.step()
    assert isinstance(report.store_problem, DiskFullError)
    assert report.store_changed
    assert "nothing new could be saved" in report.store_problem.message
    assert str(office.rig.store.path.parent) in report.store_problem.message
    assert office.lock_timer.slept == []  # named at once, no lock wait
    assert office.rig.store.cursor("mittwoch") == cursor  # the batch comes again
    assert office.rig.store.messages("mittwoch") == []
    assert office.rig.store.thread_rows("mittwoch") == []
    assert report.intake.stored == 0 and report.delivery.sent == 0

    # Still full: the problem stays, said once (no change), and still nothing half-stored.
    again = office.later()
    assert isinstance(again.store_problem, DiskFullError) and not again.store_changed
    assert office.rig.store.messages("mittwoch") == []

    office.disk.make_room()
    back = office.later()
    assert back.store_problem is None and back.store_changed
    assert back.intake.stored == CITIZENS
    office.step()  # greetings out; nothing comes twice
    office.later()
    _taken_once(office)


def _full_while_the_messenger_is_away(office: Office) -> AwayReceives:
    """Thread 1 greeted, then a batch that found the disk full; now the messenger's event
    stream cannot be reached (sending still works)."""
    office.rig.messenger.citizen_send("erst", "Wann ist die nächste Sprechstunde?")
    office.step()
    _write(office)
    office.disk.fill()
    assert isinstance(office.step().store_problem, DiskFullError)
    away = AwayReceives(office.rig.provider)
    office.running.provider = away  # type: ignore[assignment]
    return away


def _queue_reply(office: Office, text: str) -> None:
    """A reply from another terminal whose first attempt failed: queued, sent by `open`."""
    assert office.rig.reply(1, text, provider=SendsNothing(office.rig.messenger)).state == "pending"


def test_a_reply_stored_while_the_messenger_is_away_shows_there_is_room_again(
    office: Office,
) -> None:
    away = _full_while_the_messenger_is_away(office)
    office.disk.make_room()  # the operator frees space
    quiet = office.later()
    assert away.asked == 1 and "The messenger did not answer." in quiet.problems
    # Nothing was written in that step, so nothing shows there is room: the alert stays.
    assert isinstance(quiet.store_problem, DiskFullError) and not quiet.store_changed

    _queue_reply(office, LONG.strip())  # as long as a citizen's message: it needs new pages
    back = office.later()
    assert back.delivery.sent == 1  # written to the store: the reply moved into `messages`
    assert back.store_problem is None and back.store_changed
    assert back.intake.stored == 0 and away.asked == 2  # the batch still waits over there

    office.running.provider = office.rig.provider  # the messenger is back
    assert office.later().intake.stored == CITIZENS
    office.later()
    _taken_once(office, extra=["Wann ist die nächste Sprechstunde?"])
    assert LONG.strip() in office.rig.phone("erst")


def test_a_short_reply_that_fits_a_full_disk_proves_no_room(office: Office) -> None:
    _full_while_the_messenger_is_away(office)
    _queue_reply(office, "Am 16. Dezember.")  # fits into pages the full store already has
    still = office.later()
    assert still.delivery.sent == 1
    assert isinstance(still.store_problem, DiskFullError) and not still.store_changed
    office.running.provider = office.rig.provider
    assert isinstance(office.later().store_problem, DiskFullError)  # and rightly so


def test_a_reply_stored_after_a_read_only_store_shows_it_takes_writes_again(
    office: Office,
) -> None:
    office.rig.messenger.citizen_send("erst", "Wann ist die nächste Sprechstunde?")
    office.step()
    _write(office)
    writable = office.running.store
    read_only = read_only_store(writable.path, timer=StepTimer())
    try:
        office.running.store = read_only
        assert isinstance(office.step().store_problem, ReadOnlyError)
    finally:
        read_only.close()
    office.running.store = writable
    office.running.provider = AwayReceives(office.rig.provider)  # type: ignore[assignment]
    assert isinstance(office.later().store_problem, ReadOnlyError)  # nothing written yet
    _queue_reply(office, "Am 16. Dezember.")
    back = office.later()
    assert back.delivery.sent == 1 and back.store_problem is None and back.store_changed


def test_a_photo_that_finds_no_room_leaves_no_file_and_comes_again(office: Office) -> None:
    _write(office, photos=3)
    office.media_disk.room = 1  # the first photo fits, the second meets a full disk
    report = office.step()
    assert isinstance(report.store_problem, DiskFullError)
    assert office.media_disk.refused == 1
    assert str(office.rig.media_dir) in report.store_problem.message
    assert office.lock_timer.slept == []
    # The photo written before the failure is removed with its batch; no temp file stays.
    assert sorted(office.rig.media_dir.iterdir()) == []
    assert office.rig.store.messages("mittwoch") == []

    office.media_disk.make_room()
    back = office.later()
    assert back.store_problem is None and back.intake.stored == CITIZENS + 3
    files = sorted(office.rig.media_dir.iterdir())
    stored = sorted(
        Path(m.media.path) for m in office.rig.store.messages("mittwoch") if m.media is not None
    )
    assert files == stored and len(files) == 3  # every file belongs to a message
    office.later()
    _taken_once(office, photos=3)


def test_a_read_only_store_is_named_and_open_goes_on_until_it_is_writable(
    office: Office,
) -> None:
    _write(office)
    writable = office.running.store
    lock_timer = StepTimer()
    read_only = read_only_store(writable.path, timer=lock_timer)
    try:
        office.running.store = read_only
        report = office.step()
        assert isinstance(report.store_problem, ReadOnlyError)
        assert "cannot be written" in report.store_problem.message
        assert "writable" in report.store_problem.hint
        assert lock_timer.slept == []
        assert read_only.messages("mittwoch") == []
    finally:
        read_only.close()
    office.running.store = writable
    back = office.later()
    assert back.store_problem is None and back.store_changed
    assert back.intake.stored == CITIZENS


def test_receiving_pauses_after_a_full_disk_instead_of_asking_again_at_once(
    office: Office,
) -> None:
    _write(office)
    office.disk.fill()
    counting = CountingReceives(office.rig.provider)
    office.running.provider = counting  # type: ignore[assignment]
    office.step()
    office.rig.clock.advance(seconds=0.01)
    office.step()
    assert counting.asked == 1  # the second step idles: the messenger is not asked again
    office.disk.make_room()
    assert office.later().intake.stored == CITIZENS
    assert counting.asked == 2


def test_intake_of_a_full_disk_rolls_back_whole(office: Office) -> None:
    _write(office)
    office.disk.fill()
    batch = office.rig.provider.receive(None, 0)
    with pytest.raises(DiskFullError):
        hour.take(
            office.rig.store,
            office.rig.provider,
            office.rig.config,
            office.rig.session,
            batch,
            office.rig.clock.now(),
            office.rig.media_dir,
        )
    counters = office.rig.store.counters("mittwoch")
    assert sum(counters.values()) == 0  # no counter bumped for what was not kept
    assert office.rig.store.cursor("mittwoch") is None
    assert not office.rig.store.conn.in_transaction
