"""A citizen's withdrawal wins at once: the forensic search right after it is taken in.

Text, caption and document of a withdrawn message are looked for in every file below the data
dir (the store, its WAL, the media folder, the local messenger's own file), in what the store
still unseals with the session's key, and in the hand-off export, as the purge's search does —
but before any purge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.store import handoffs
from tests.support.handoff_rig import ANNA, CITIZEN, Rig, open_rig
from tests.support.leaks import found_in_tree
from tests.support.media_samples import SAMPLES

TEXT_CANARY = "Telefon 0170-KANARIE-TEXT"
CAPTION_CANARY = "KANARIE-BILDTEXT"
DOC_CANARY = "KANARIE-DOKUMENTINHALT"
NAME_CANARY = "KANARIE-DATEINAME"
EDIT_CANARY = "KANARIE-ERSTE-FASSUNG"
CANARIES = (TEXT_CANARY, CAPTION_CANARY, DOC_CANARY, NAME_CANARY, EDIT_CANARY)
KEPT = "Wann wird mein Wohngeld bewilligt?"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        yield opened


def everything_here(rig: Rig, root: Path) -> dict[str, list[str]]:
    """Every file below the data dir that holds a canary, and what the store still unseals."""
    hits = found_in_tree(root, CANARIES)
    readable = "\n".join(
        [m.body + (m.media.name if m.media else "") for m in rig.store.messages("mittwoch")]
        + [h.question for h in handoffs.of_session(rig.store, "mittwoch")]
    )
    unsealed = [c for c in CANARIES if c in readable]
    if unsealed:
        hits["<unsealed store>"] = unsealed
    return hits


def test_a_withdrawn_text_caption_and_document_leave_no_trace_at_once(
    rig: Rig, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    rig.open()
    rig.says(CITIZEN, KEPT)
    rig.says(CITIZEN, EDIT_CANARY)  # edited below: only the new version may stay
    rig.messenger.citizen_edit(CITIZEN, "Ich habe eine zweite Frage.")
    rig.says(CITIZEN, TEXT_CANARY)
    rig.messenger.citizen_send(
        CITIZEN,
        CAPTION_CANARY,
        kind=MessageKind.IMAGE,
        media=SAMPLES["png"],
        mime="image/png",
        filename="foto.png",
    )
    rig.messenger.citizen_send(
        CITIZEN,
        "",
        kind=MessageKind.FILE,
        media=f"%PDF-1.4\n({DOC_CANARY}) Tj\n".encode(),
        mime="application/pdf",
        filename=f"{NAME_CANARY}.pdf",
    )
    rig.step()
    media_dir = rig.media_dir
    assert len(list(media_dir.iterdir())) == 2
    rig.record(1, "Wohngeldamt", ANNA)
    before = handoffs.of_session(rig.store, "mittwoch")[0].question
    assert TEXT_CANARY in before and EDIT_CANARY not in before

    for _ in range(3):  # the document, the photo, the text: each the last one left
        rig.messenger.citizen_withdraw(CITIZEN)
    rig.step()

    assert everything_here(rig, data) == {}
    assert list(media_dir.iterdir()) == []
    wal = data / "store.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # folded back at once
    counters = rig.store.counters("mittwoch")
    assert counters[Counter.WITHDRAWN] == 3 and counters[Counter.EDITED] == 1
    # The hand-off recorded before the withdrawal was quoted again before any delivery.
    question = handoffs.of_session(rig.store, "mittwoch")[0].question
    assert question == f"{KEPT}\n\nIch habe eine zweite Frage."
    report = rig.deliver(None)
    assert report.export_file is not None
    exported = report.export_file.read_text(encoding="utf-8")
    assert KEPT in exported and "zweite Frage" in exported
    assert [c for c in CANARIES if c in exported] == []
    assert found_in_tree(rig.export_dir, CANARIES) == {}


def test_a_withdrawal_of_a_message_never_taken_in_keeps_nothing(rig: Rig) -> None:
    rig.open()
    rig.says(CITIZEN, KEPT)
    rig.messenger.citizen_send(CITIZEN, TEXT_CANARY)
    rig.messenger.citizen_withdraw(CITIZEN)  # before the office polled
    rig.step()
    bodies = [m.body for m in rig.store.messages("mittwoch")]
    assert bodies[0] == KEPT and all(TEXT_CANARY not in b for b in bodies)
    assert rig.store.counters("mittwoch").get(Counter.WITHDRAWN, 0) == 0


def test_a_citizen_cannot_withdraw_or_edit_another_citizens_message(rig: Rig) -> None:
    rig.open()
    rig.says(CITIZEN, KEPT)
    own = rig.store.messages("mittwoch")[0]
    # A forged withdrawal from another chat naming this message's id changes nothing.
    rig.messenger.citizen_send("c2", "Hallo")
    rig.messenger.conn.execute(
        "INSERT INTO events (id, type, chat, to_office, kind, text, at, ref)"
        " VALUES ('forged', 'withdraw', 'c2', 1, 'text', '', '2026-12-02T15:00:00+00:00', ?)",
        (rig.messenger.conn.execute("SELECT id FROM events ORDER BY seq LIMIT 1").fetchone()[0],),
    )
    rig.messenger.conn.commit()
    rig.step()
    assert rig.store.messages("mittwoch", thread=own.thread)[0].body == KEPT
