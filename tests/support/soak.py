"""A bounded soak of one consultation hour through any provider, with its citizens' phones.

The workload (who writes when, which thread gets a reply) comes from its own seeded random
source; the faults come from the `Faults` the provider is wrapped in. Every citizen text and
every reply is unique, so "exactly once" is checked by counting texts: in the store for what
citizens sent, on the citizens' phones for what the office sent.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import Direction, MessageKind, SessionState
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services import delivery, hour
from sprechstunde_cli.services import reply as operator
from sprechstunde_cli.services.intake import TRUNCATED_MARK
from sprechstunde_cli.store import Store, outbox
from tests.support.clocks import FakeClock
from tests.support.contract import PNG, CitizenSide
from tests.support.faults import Faults

SESSION = "mittwoch"
GREETING_START = "Guten Tag und willkommen"
REFUSED_NOTES = ("[Datei nicht übernommen]", "[Datei nicht abrufbar]")


@dataclass(frozen=True)
class Workload:
    citizens: int = 50
    messages: int = 2_000
    image_share: float = 0.03
    per_step: int = 8  # at most this many citizen messages between two steps
    reply_every: int = 1  # an operator replies every n-th step
    step_seconds: float = 0.25
    drain_steps: int = 800
    drain_seconds: float = 2.0
    wait: float = 0.0  # receive's long-poll wait (real seconds; >0 where delivery takes time)


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)  # citizen texts, in order
    replies: dict[str, list[str]] = field(default_factory=dict)  # chat -> reply texts
    stored: Counter[str] = field(default_factory=Counter)  # citizen texts in the store
    files_refused: int = 0  # photos stored without their file (a transient download fault)
    outbox: dict[str, int] = field(default_factory=dict)
    max_attempts: int = 0
    greetings: dict[str, int] = field(default_factory=dict)  # handle -> greetings on the phone
    reply_copies: Counter[str] = field(default_factory=Counter)  # reply -> copies on its phone
    misdelivered: int = 0  # replies on another citizen's phone
    steps: int = 0
    drain_from: float = 0.0  # clock time (s) when the messages stopped and the drain began
    drained: bool = False

    @property
    def lost(self) -> list[str]:
        return [t for t in self.sent if self.stored[t] == 0]

    @property
    def doubled_in_store(self) -> list[str]:
        return [t for t, n in self.stored.items() if n > 1]

    @property
    def duplicates_on_phones(self) -> int:
        extra = sum(n - 1 for n in self.reply_copies.values() if n > 1)
        return extra + sum(n - 1 for n in self.greetings.values() if n > 1)

    def line(self) -> str:
        replies = sum(len(r) for r in self.replies.values())
        return (
            f"{len(self.sent)} messages from {len(self.greetings)} citizens, {replies} replies, "
            f"{self.steps} steps; lost {len(self.lost)}, doubled in store "
            f"{len(self.doubled_in_store)}, duplicates on phones {self.duplicates_on_phones}, "
            f"photos without file {self.files_refused}, outbox {self.outbox}, "
            f"most attempts {self.max_attempts}"
        )


def run(
    store: Store,
    provider: Provider,
    citizens: CitizenSide,
    config: Config,
    clock: FakeClock,
    media_dir: Path,
    faults: Faults,
    load: Workload = Workload(),
    between: Callable[[], None] = lambda: None,
) -> Report:
    """Run the hour under faults, then drain; return what the store and the phones show."""
    # The services draw their backoff jitter from the global random source: seed it too, so
    # the same seed replays the same run (and put it back afterwards).
    saved = random.getstate()
    random.seed(faults.seed + 2)
    try:
        return _run(store, provider, citizens, config, clock, media_dir, faults, load, between)
    finally:
        random.setstate(saved)


def _run(
    store: Store,
    provider: Provider,
    citizens: CitizenSide,
    config: Config,
    clock: FakeClock,
    media_dir: Path,
    faults: Faults,
    load: Workload,
    between: Callable[[], None],
) -> Report:
    rng = random.Random(faults.seed + 1)
    report = Report()
    handles = [f"buerger{n:02d}" for n in range(load.citizens)]
    hour.open_session(store, config.session(SESSION), clock.now(), actor="soak")
    the_hour = hour.Hour(
        store, provider, config, SESSION, media_dir, sleep=clock.sleep, rng=rng.random
    )
    replied = 0
    while len(report.sent) < load.messages:
        for _ in range(rng.randint(0, load.per_step)):
            if len(report.sent) >= load.messages:
                break
            handle = rng.choice(handles)
            text = f"Frage {len(report.sent)} von {handle}: Wann kommt die Laterne?"
            if rng.random() < load.image_share:
                citizens.send_image(handle, PNG, text)
            else:
                citizens.send_text(handle, text)
            report.sent.append(text)
        between()
        the_hour.step(clock.now(), load.wait)
        report.steps += 1
        if report.steps % load.reply_every == 0:
            replied += _reply(store, provider, config, clock, media_dir, rng, replied, report)
        clock.advance(seconds=load.step_seconds)
    report.drain_from = clock.now().timestamp()
    for _ in range(load.drain_steps):
        the_hour.step(clock.now(), load.wait)
        report.steps += 1
        if _settled(store, len(report.sent)):
            report.drained = True
            break
        clock.advance(seconds=load.drain_seconds)
    _collect(store, citizens, handles, report)
    return report


def _reply(
    store: Store,
    provider: Provider,
    config: Config,
    clock: FakeClock,
    media_dir: Path,
    rng: random.Random,
    replied: int,
    report: Report,
) -> int:
    rows = store.thread_rows(SESSION)
    if not rows:
        return 0
    row = rng.choice(rows)
    info = store.thread(SESSION, row.number)
    text = f"Antwort {replied} an Thread {row.number}: Wir kümmern uns."
    operator.reply(
        store,
        provider,
        store.require_session(SESSION),
        row.number,
        text,
        operator=f"op{row.number % 3}",
        now=clock.now(),
        media_dir=media_dir,
        max_media_bytes=config.hour.max_media_bytes,
    )
    report.replies.setdefault(info.chat, []).append(text)
    return 1


def _settled(store: Store, expected: int) -> bool:
    counts = outbox.counts(store, SESSION)
    busy = counts.get(outbox.PENDING, 0) + counts.get(outbox.SENDING, 0)
    row = store.conn.execute(
        "SELECT COUNT(*) FROM messages WHERE session_id = ? AND direction = ?",
        (SESSION, Direction.IN.value),
    ).fetchone()
    return busy == 0 and int(row[0]) >= expected


def _collect(store: Store, citizens: CitizenSide, handles: list[str], report: Report) -> None:
    assert store.require_session(SESSION).state is SessionState.OPEN
    for message in store.messages(SESSION, limit=10**6):
        if message.direction is not Direction.IN:
            continue
        body = message.body.removesuffix(TRUNCATED_MARK)
        for note in REFUSED_NOTES:
            if body.endswith(note):
                body = body.removesuffix(note).rstrip("\n")
                report.files_refused += message.kind is MessageKind.IMAGE
        report.stored[body] += 1
    report.outbox = outbox.counts(store, SESSION)
    row = store.conn.execute(
        "SELECT MAX(attempts) FROM outbox WHERE session_id = ?", (SESSION,)
    ).fetchone()
    report.max_attempts = int(row[0] or 0)
    assert report.max_attempts <= delivery.MAX_ATTEMPTS
    every = {t for texts in report.replies.values() for t in texts}
    for handle in handles:
        if not any(f"von {handle}:" in t for t in report.sent):
            continue  # never wrote: no phone to look at (and none to create)
        shown = citizens.phone(handle)
        report.greetings[handle] = sum(1 for t in shown if t.startswith(GREETING_START))
        mine = set(report.replies.get(citizens.chat_id(handle), []))
        report.reply_copies.update(t for t in shown if t in mine)
        report.misdelivered += sum(1 for t in shown if t in every and t not in mine)
