"""A scripted rehearsal on the local messenger: citizens write, operators answer, all is deleted.

`script.py` holds the script; `samples.py` the photo and voice note the citizens send. The
rehearsal runs in a folder of its own with its own store, so it never touches a real session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.counters import RECEIVED, Counter
from sprechstunde_cli.domain.model import Clock, MessageKind, SessionRecord, Timer
from sprechstunde_cli.domain.receipt import Receipt
from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.domain.rules import by_waiting_time
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services.close import CloseReport, close
from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png
from sprechstunde_cli.services.demo.script import (
    CITIZENS,
    OPERATOR,
    REPLIES,
    SCRIPT_END,
    SESSION_ID,
    CitizenCue,
    ReplyCue,
    demo_config,
)
from sprechstunde_cli.services.hour import Hour, StepReport, open_session
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.reply import reply
from sprechstunde_cli.store import Store, outbox
from sprechstunde_cli.system.paths import Paths

__all__ = ["CITIZENS", "REPLIES", "DemoResult", "rehearse"]


@dataclass(frozen=True)
class Phase:
    """A stage of the rehearsal begins (open, close, delete), in words for the operator."""

    text: str


@dataclass(frozen=True)
class CitizenActed:
    """A scripted citizen just wrote, sent a file, called, edited or withdrew a message."""

    cue: CitizenCue


@dataclass(frozen=True)
class Replied:
    """The office answered a thread with a scripted reply."""

    thread: int
    cue: ReplyCue


@dataclass(frozen=True)
class Stepped:
    """One step of the hour, with what the live view shows after it."""

    report: StepReport
    session: SessionRecord
    rows: Sequence[ThreadRow]


Event = Phase | CitizenActed | Replied | Stepped
Notify = Callable[[Event], None]


@dataclass(frozen=True)
class DemoResult:
    """What the rehearsal did, in counts, with the close's report and the deletion receipt."""

    threads: int
    received: int
    replies: int
    calls_refused: int
    late: int
    close: CloseReport
    receipt: Receipt | None  # None with keep: the data stays for inspection


def rehearse(
    base: Path, clock: Clock, timer: Timer, *, speed: float, keep: bool, notify: Notify
) -> DemoResult:
    """Run the script in the folder `base` (config-free, a store and messenger of its own)."""
    paths = Paths(
        config_file=base / "config.toml", data_dir=base / "data", log_dir=base / "data" / "log"
    )
    places = Places(
        data_dir=paths.data_dir,
        session_dir=paths.session_dir(SESSION_ID),
        log_file=paths.log_file,
        export_dir=base / "handoffs",
    )
    config = demo_config(clock.now(), speed)
    with (
        Store.open(paths.store_file, paths.key_dir) as store,
        LocalMessenger(paths.local_messenger_file, stamp=clock.now) as messenger,
    ):
        provider = LocalProvider(messenger, timer=timer)
        hour = Hour(store, provider, config, SESSION_ID, places.session_dir / "media", timer=timer)
        replies = _run_script(store, messenger, hour, config, clock, speed, places, notify)
        counters = store.counters(SESSION_ID)
        threads = len(store.thread_rows(SESSION_ID))
        notify(Phase(_("Closing the hour.")))
        closed = close(
            store,
            provider,
            config,
            SESSION_ID,
            clock,
            actor=OPERATOR,
            export_dir=places.export_dir,
        )
        receipt = None
        if not keep:
            # The citizens open their apps and see the closing words (read receipts): the
            # purge need not wait out the grace for them.
            for chat in messenger.chats():
                messenger.citizen_read(chat)
            notify(Phase(_("Deleting all chats, here and at the messenger.")))
            receipt = purge(store, provider, config, SESSION_ID, clock, places=places, mailer=None)
    return DemoResult(
        threads=threads,
        received=sum(counters.get(name, 0) for name in RECEIVED),
        replies=replies,
        calls_refused=counters.get(Counter.CALLS_REFUSED, 0),
        late=counters.get(Counter.LATE_MESSAGES, 0),
        close=closed,
        receipt=receipt,
    )


def _run_script(
    store: Store,
    messenger: LocalMessenger,
    hour: Hour,
    config: Config,
    clock: Clock,
    speed: float,
    places: Places,
    notify: Notify,
) -> int:
    """Play the citizens and the office until the script is over; the number of replies."""
    spec = config.session(SESSION_ID)
    t0 = clock.now()
    open_session(store, spec, t0, actor=OPERATOR, rehearse=True)
    notify(Phase(_("Session '{id}' is open.").format(id=spec.id)))
    citizens, answers = list(CITIZENS), list(REPLIES)
    photo, voice = make_png(320, 240, (46, 139, 87)), make_ogg_opus(4.0)
    replies = 0
    while True:
        elapsed = (clock.now() - t0).total_seconds() / speed
        while citizens and citizens[0].at <= elapsed:
            citizen = citizens.pop(0)
            _act(messenger, citizen, photo, voice)
            notify(CitizenActed(citizen))
        for answer in [r for r in answers if r.at <= elapsed]:
            number = store.thread_number(spec.id, answer.handle)
            if number is None:
                continue  # that citizen's message has not come in yet: try again next round
            answers.remove(answer)
            reply(
                store,
                hour.provider,
                store.require_session(spec.id),
                number,
                answer.text,
                operator=OPERATOR,
                now=clock.now(),
                media_dir=places.session_dir / "media",
                max_media_bytes=config.hour.max_media_bytes,
            )
            replies += 1
            notify(Replied(number, answer))
        report = hour.step(clock.now(), wait=config.hour.poll_seconds)
        rows = by_waiting_time(store.thread_rows(spec.id))
        notify(Stepped(report, store.require_session(spec.id), rows))
        pending = outbox.counts(store, spec.id).get(outbox.PENDING, 0)
        if elapsed >= SCRIPT_END and not citizens and not answers and not pending:
            return replies


def _act(messenger: LocalMessenger, cue: CitizenCue, photo: bytes, voice: bytes) -> None:
    if cue.action == "call":
        messenger.citizen_call(cue.handle, name=cue.name)
    elif cue.action == "edit":
        messenger.citizen_edit(cue.handle, cue.text)
    elif cue.action == "withdraw":
        messenger.citizen_withdraw(cue.handle)
    elif cue.action == "image":
        messenger.citizen_send(
            cue.handle,
            cue.text,
            name=cue.name,
            kind=MessageKind.IMAGE,
            media=photo,
            mime="image/png",
            filename="schaukel.png",
        )
    elif cue.action == "voice":
        messenger.citizen_send(
            cue.handle,
            cue.text,
            name=cue.name,
            kind=MessageKind.VOICE,
            media=voice,
            mime="audio/ogg",
            filename="sprachnachricht.ogg",
            duration=4.0,
        )
    else:
        messenger.citizen_send(cue.handle, cue.text, name=cue.name)
