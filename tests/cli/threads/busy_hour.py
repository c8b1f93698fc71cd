"""A busy hour for the view comparisons: many threads, interleaved as real intake stores them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock

THREADS = 60
# Citizens write in rounds, so every thread's messages lie between the others' (as intake stores
# them); a name with a terminal escape and one far too long test the cleaning in every view.
NAMES = ("", "Anna", "Bürger \x1b[31mRot", "Ein sehr langer Name, der nicht in die Spalte passt")
KINDS = (MessageKind.TEXT, MessageKind.TEXT, MessageKind.IMAGE, MessageKind.VOICE, MessageKind.FILE)


def fill_busy_hour(sp: Sp, clock: FakeClock, threads: int = THREADS) -> None:
    """An open session: `threads` citizens, up to 4 messages each, some read, answered, claimed."""
    sp("open", "--once")
    paths = resolve_paths()
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        for round_ in range(4):
            with store.write() as conn:
                for n in range(threads):
                    if n % (round_ + 1):
                        continue
                    kind = KINDS[(n + round_) % len(KINDS)]
                    store.add_inbound(
                        conn,
                        "mittwoch",
                        provider_id=f"busy-{n}-{round_}",
                        # Every third citizen writes from a handle: the view shows their name.
                        chat=f"buerger{n}@example.org" if n % 3 else f"+49 170 0000{n:03d}",
                        display_name=NAMES[n % len(NAMES)],
                        at=IN_THE_HOUR + timedelta(seconds=round_ * 600 + n * 7),
                        kind=kind,
                        body=""
                        if kind is MessageKind.VOICE
                        else f"Frage {n}.{round_}: Spielplatz?",
                        media=None,
                    )
    finally:
        store.close()
    clock.advance(minutes=45)
    sp("show", "4")
    sp("--operator", "erika", "reply", "6", "Danke für Ihre Frage, wir kümmern uns.")
    sp("--operator", "erika", "reply", "13", "Der Spielplatz wird im Frühjahr saniert.")
    clock.advance(minutes=1)
    # A citizen answered writes again (stamped here: the local messenger stamps its own clock).
    _write(13, 0, "+49 170 0000012", "Und die Schaukel?", clock.now())
    sp("open", "--once")
    sp("--operator", "erika", "claim", "8")
    sp("--operator", "bernd", "claim", "9")


def _write(provider_id: int, name: int, chat: str, body: str, at: datetime) -> None:
    paths = resolve_paths()
    store = Store.open(paths.store_file, paths.key_dir)
    try:
        with store.write() as conn:
            store.add_inbound(
                conn, "mittwoch", provider_id=f"again-{provider_id}", chat=chat,
                display_name=NAMES[name], at=at, kind=MessageKind.TEXT, body=body, media=None,
            )  # fmt: skip
    finally:
        store.close()


def golden(name: str) -> Path:
    return Path(__file__).parent / "golden" / name
