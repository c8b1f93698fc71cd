"""Every text the office queues is sealed in the store file and its WAL until it is sent.

A whole hour runs against a messenger that is offline, so nothing leaves the outbox: greetings,
a call refusal, a reply with a photo, a hand-off confirmation, the last call, the closing words
with the hand-off offer (`close` tries them until they fail for good), an away reply. The raw
bytes of the store and its WAL must hold none of them; once the messenger is back, every
citizen gets exactly what was queued.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from sprechstunde_cli.domain.handoffs import Consent
from sprechstunde_cli.domain.model import Purpose
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Sent
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import delivery, handoff, hour, intake
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.store import outbox
from tests.support.handoff_rig import make_config as handoff_config
from tests.support.service_rig import Rig

SID = "mittwoch"
ASKS = "+49 170 0000101"  # fictitious numbers
WAITS = "+49 170 0000102"
CALLS = "+49 170 0000103"
LATE = "+49 170 0000104"
REPLY = "Antwort-Kanarie: Der Gehweg in der Musterstraße wird im März gepflastert."
NOTE = "Notiz-Kanarie: Rückruf erbeten, Hausnummer 12a"
EMAIL = "kanarie.beispiel@example.org"


class Offline(LocalProvider):
    """The local messenger, whose sending is down (until `down` is cleared): everything stays
    queued."""

    down = True

    def send_text(self, chat: str, text: str, key: str) -> Sent:
        if self.down:
            raise ProviderError("the messenger is offline", retryable=True)
        return super().send_text(chat, text, key)

    def send_media(self, chat: str, media: OutboundMedia, caption: str, key: str) -> Sent:
        if self.down:
            raise ProviderError("the messenger is offline", retryable=True)
        return super().send_media(chat, media, caption, key)


def forms(text: str) -> list[bytes]:
    """The ways a text can sit in a file: UTF-8 and UTF-16 in both byte orders."""
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def found_on_disk(store_file: Path, texts: Sequence[str]) -> list[str]:
    """The texts any of whose forms the store file or its WAL holds."""
    raw = store_file.read_bytes() + Path(f"{store_file}-wal").read_bytes()
    return [t for t in texts if any(form in raw for form in forms(t))]


def run_the_hour_offline(rig: Rig, tmp_path: Path, *, back_for_close: bool = False) -> list[str]:
    """The hour with sending down; with `back_for_close` the messenger is back when `close`
    runs (which delivers everything queued). Returns the texts queued before the close."""
    config = handoff_config()  # departments, and the hand-off offer in the closing words
    rig.config = dataclasses.replace(
        config, handoff=dataclasses.replace(config.handoff, offer=True)
    )
    offline = Offline(rig.messenger)
    rig.open()
    running = hour.Hour(rig.store, offline, rig.config, SID, rig.media_dir)
    rig.messenger.citizen_send(ASKS, "Wann wird der Gehweg in der Musterstraße gepflastert?")
    rig.messenger.citizen_send(WAITS, "Gibt es noch Plätze in der Kita am Park?")
    rig.messenger.citizen_call(CALLS)
    running.step(rig.clock.now(), 0.0)  # greetings and the call refusal
    photo = tmp_path / "plan.png"
    photo.write_bytes(make_png(8, 8, (1, 2, 3)))
    assert rig.reply(1, REPLY, provider=offline, attachment=photo).state == outbox.PENDING
    handoff.record(
        rig.store,
        offline,
        rig.config,
        rig.session,
        1,
        department="Tiefbauamt",
        email=EMAIL,
        note=NOTE,
        consent=Consent.OPERATOR,
        operator="mia",
        now=rig.clock.now(),
    )
    rig.clock.advance(minutes=50)  # ten minutes before the end: the last call to thread 2
    running.step(rig.clock.now(), 0.0)
    queued = outbox.queued_texts(rig.store, SID)
    offline.down = not back_for_close
    closing.close(rig.store, offline, rig.config, SID, rig.clock, actor="t", export_dir=tmp_path)
    rig.messenger.citizen_send(LATE, "Ist die Sprechstunde schon vorbei?")
    batch = offline.receive(rig.store.cursor(SID), 0.0)
    intake.take(rig.store, offline, rig.config, rig.session, batch, rig.clock.now(), rig.media_dir)
    return queued


def test_no_queued_text_is_readable_in_the_store_or_its_wal(rig: Rig, tmp_path: Path) -> None:
    run_the_hour_offline(rig, tmp_path)
    rows = rig.store.conn.execute(
        "SELECT purpose, state, typeof(body), typeof(media_path) FROM outbox"
    ).fetchall()
    assert {Purpose(r[0]) for r in rows} == {
        Purpose.GREETING,
        Purpose.CALL_REFUSAL,
        Purpose.REPLY,
        Purpose.HANDOFF,
        Purpose.LAST_CALL,
        Purpose.CLOSING,
        Purpose.AWAY,
    }
    # Nothing was sent: `close` tried until each gave up, the away reply after it is queued.
    assert {r[1] for r in rows} == {outbox.FAILED, outbox.PENDING}

    texts = outbox.queued_texts(rig.store, SID)
    assert len(texts) == len(rows) and REPLY in texts
    words = closing.closing_text(rig.store, rig.config, SID)
    assert words in texts and rig.config.handoff.default_mailbox in words  # with the offer
    [attachment] = [p.name for p in rig.media_dir.iterdir()]
    store_file = rig.store.path
    assert Path(f"{store_file}-wal").stat().st_size > 0  # the scan covers the live WAL
    assert found_on_disk(store_file, [*texts, NOTE, EMAIL, attachment]) == []
    # The scan is not blind: the chat handle (kept in plain for look-ups) is found.
    assert found_on_disk(store_file, [ASKS]) == [ASKS]
    assert {r[2] for r in rows} == {"blob"}
    assert sorted(r[3] for r in rows) == ["blob"] + ["null"] * (len(rows) - 1)


def test_queued_texts_read_back_as_written_once_the_messenger_is_back(
    rig: Rig, tmp_path: Path
) -> None:
    queued = run_the_hour_offline(rig, tmp_path, back_for_close=True)
    [away] = outbox.queued_texts(rig.store, SID)  # the one queued after the close
    rig.clock.advance(hours=1)  # past every backoff
    report = delivery.deliver_due(rig.store, rig.provider, SID, rig.clock.now())
    assert (report.sent, report.failed) == (1, 0)
    arrived = [text for chat in (ASKS, WAITS, CALLS, LATE) for text in rig.phone(chat)]
    words = closing.closing_text(rig.store, rig.config, SID)
    assert sorted(arrived) == sorted([*queued, words, away])
    assert words in rig.phone(WAITS) and words not in rig.phone(ASKS)  # only WAITS waited
    [photo] = [e for e in rig.messenger.phone(ASKS) if e.incoming and e.text == REPLY]
    assert photo.kind == "image"
    assert outbox.queued_texts(rig.store, SID) == []  # sent bodies move to `messages`
