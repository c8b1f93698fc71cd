"""The purge waits until the citizens' apps have the closing words, or the grace is over.

On the real local messenger: its citizens send read receipts when they read their inbox, and
its purge deletes both sides, so a citizen who has not looked yet would lose the words.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.purge.closing import Waiting
from tests.support.service_rig import Rig

SID = "mittwoch"


def closed(rig: Rig, tmp_path: Path, grace: float, citizens: int = 3) -> tuple[Places, str]:
    rig.config = dataclasses.replace(
        rig.config, hour=dataclasses.replace(rig.config.hour, closing_grace_minutes=grace)
    )
    rig.open()
    for n in range(citizens):
        rig.messenger.citizen_send(f"c{n}", f"Frage {n}")
    rig.step()
    closing.close(rig.store, rig.provider, rig.config, SID, rig.clock, actor="t")
    places = Places(rig.session_dir.parent.parent, rig.session_dir, tmp_path / "log", tmp_path)
    return places, closing.closing_text(rig.store, rig.config, SID)


class Interrupt(Exception):
    """Stands in for Ctrl-C at the second line the purge prints while it waits."""


def test_nobody_reads_the_purge_waits_out_the_whole_grace(rig: Rig, tmp_path: Path) -> None:
    places, words = closed(rig, tmp_path, grace=10)
    sent_at = rig.clock.now()
    seen: list[Waiting] = []
    receipt = purge(
        rig.store,
        rig.provider,
        rig.config,
        SID,
        rig.clock,
        places=places,
        mailer=None,
        waiting=seen.append,
    )
    assert (rig.clock.now() - sent_at).total_seconds() >= 600
    assert seen and seen[0].unconfirmed == seen[0].total == 3 and seen[0].receipts
    assert receipt.counts["closing_grace_seconds"] == 600
    assert receipt.counts["closing_words_sent"] == 3
    assert receipt.counts["closing_words_confirmed"] == 0
    assert all(words not in rig.phone(f"c{n}") for n in range(3))  # deleted both sides


def test_once_every_citizen_has_read_the_purge_goes_on(rig: Rig, tmp_path: Path) -> None:
    places, words = closed(rig, tmp_path, grace=10)
    start = rig.clock.now()
    read: list[str] = []

    def citizens_read(state: Waiting) -> None:
        # One citizen opens the app each time the purge looks.
        chat = f"c{len(read)}"
        assert words in rig.phone(chat)
        rig.messenger.citizen_read(chat)
        read.append(chat)

    receipt = purge(
        rig.store,
        rig.provider,
        rig.config,
        SID,
        rig.clock,
        places=places,
        mailer=None,
        waiting=citizens_read,
    )
    assert read == ["c0", "c1", "c2"]
    assert (rig.clock.now() - start).total_seconds() < 60  # not the ten minutes
    assert receipt.counts["closing_words_confirmed"] == 3
    assert receipt.counts["closing_grace_seconds"] == 600


def test_no_grace_no_wait(rig: Rig, tmp_path: Path) -> None:
    places, _ = closed(rig, tmp_path, grace=0)
    start = rig.clock.now()
    seen: list[Waiting] = []
    receipt = purge(
        rig.store,
        rig.provider,
        rig.config,
        SID,
        rig.clock,
        places=places,
        mailer=None,
        waiting=seen.append,
    )
    assert seen == [] and rig.clock.now() == start
    assert receipt.counts["closing_grace_seconds"] == 0
    assert receipt.counts["closing_words_sent"] == 3


def test_interrupted_while_waiting_the_rerun_waits_only_for_the_rest(
    rig: Rig, tmp_path: Path
) -> None:
    places, words = closed(rig, tmp_path, grace=10)
    sent_at = rig.clock.now()
    lines: list[Waiting] = []

    def interrupt(state: Waiting) -> None:
        lines.append(state)
        if len(lines) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        purge(
            rig.store,
            rig.provider,
            rig.config,
            SID,
            rig.clock,
            places=places,
            mailer=None,
            waiting=interrupt,
        )
    assert rig.store.require_session(SID).state is SessionState.CLOSED
    assert words in rig.phone("c0")  # nothing deleted yet
    rig.clock.advance(minutes=4)  # the operator comes back later
    rig.messenger.citizen_read("c0")
    again: list[Waiting] = []
    receipt = purge(
        rig.store,
        rig.provider,
        rig.config,
        SID,
        rig.clock,
        places=places,
        mailer=None,
        waiting=again.append,
    )
    assert again[0].unconfirmed == 2
    assert again[0].seconds_left <= 600 - 4 * 60
    assert (rig.clock.now() - sent_at).total_seconds() == pytest.approx(600, abs=5)
    assert receipt.counts["closing_words_confirmed"] == 1
    assert rig.store.require_session(SID).state is SessionState.PURGED
