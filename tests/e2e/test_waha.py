"""A whole consultation hour on the fake WAHA, for every engine, through the services.

Greeting, a photo and a voice note in, replies, a refused call, the close and the purge. After
the purge the office's side at WAHA is empty, while each citizen's phone still shows what the
citizen sent: exactly what the deletion receipt says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import Direction, MessageKind
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services import reply as operator
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.contract import OGG, PNG
from tests.support.service_rig import make_config
from tests.support.waha_rig import ENGINES, waha_rig


@pytest.mark.parametrize("engine", ENGINES)
def test_a_whole_hour_on_whatsapp_via_waha(engine: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    places = Places(
        data_dir=data,
        session_dir=data / "sessions" / "mittwoch",
        log_file=data / "log" / "sprechstunde.log",
        export_dir=tmp_path / "export",
    )
    media_dir = places.session_dir / "media"
    config = make_config(early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    store = Store.open(data / "sprechstunde.db")
    with waha_rig(engine) as rig:
        fake = rig.fake
        provider = rig.provider()
        try:
            hour.open_session(store, config.session("mittwoch"), clock.now(), actor="test")
            the_hour = hour.Hour(store, provider, config, "mittwoch", media_dir)

            fake.citizen_send("anna", "Wann wird die Ampel am Musterplatz repariert?")
            fake.citizen_send("anna", "So sieht sie aus", PNG, "image/jpeg", "ampel.jpg")
            fake.citizen_send("bernd", "", OGG, "audio/ogg; codecs=opus")
            report = the_hour.step(clock.now(), wait=0.5)
            assert (report.problems, report.intake.stored) == ([], 3)
            assert sorted(report.intake.new_threads) == [1, 2]
            # Calls exist only as events: the stream is open once the hour runs.
            fake.citizen_call("carla")
            report = the_hour.step(clock.now(), wait=2.0)
            assert (report.problems, report.intake.calls_refused) == ([], 1)

            messages = store.messages("mittwoch")
            kinds = {m.kind for m in messages if m.direction is Direction.IN}
            assert kinds == {MessageKind.TEXT, MessageKind.IMAGE, MessageKind.VOICE}
            photo = next(m for m in messages if m.kind is MessageKind.IMAGE)
            assert photo.media is not None and photo.media.path is not None
            assert store.read_media("mittwoch", Path(photo.media.path)) == PNG  # fetched in time
            assert photo.media.mime == "image/png"  # sniffed, not what the phone claimed
            for handle in ("anna", "bernd"):
                assert fake.phone_texts(handle)[0].startswith("Guten Tag und willkommen")
            assert fake.call_declined("carla")
            assert any("Anrufe" in t for t in fake.phone_texts("carla"))

            clock.advance(minutes=5)
            # Thread numbers follow arrival; within one second WAHA cannot order two chats.
            anna = next(
                n for n in (1, 2) if store.thread("mittwoch", n).chat == fake.citizen("anna").pn
            )
            result = operator.reply(
                store,
                provider,
                the_hour.session,
                anna,
                "Die Ampel wird am Freitag repariert.",
                operator="buero",
                now=clock.now(),
                media_dir=media_dir,
                max_media_bytes=config.hour.max_media_bytes,
            )
            assert result.delivered
            assert fake.phone_texts("anna")[-1] == "Die Ampel wird am Freitag repariert."
            assert all(delay == rig.settings.send_delay_seconds for delay in rig.sleeps)
            assert fake.log.count(("typing", fake.citizen("anna").pn)) == 2

            clock.advance(minutes=50)
            closed = closing.close(store, provider, config, "mittwoch", clock, actor="t")
            assert closed.closing_sent == 1  # bernd's voice note was not answered yet
            assert fake.phone_texts("bernd")[-1].startswith(config.texts.closing[:20])
            assert fake.office_ids()

            receipt = purge(store, provider, config, "mittwoch", clock, places=places, mailer=None)
        finally:
            store.close()

        [remote] = receipt.providers
        assert (remote.reach, remote.ok, remote.remaining) == ("operator_side", True, 0)
        # The office's side at WAHA is empty (NOWEB keeps its revoked replies as stubs, without
        # content, while it keeps the chat); with WEBJS and WPP even the chats are gone.
        assert {i for i in fake.office_ids() if not fake.office[i].revoked} == set()
        assert all(fake.office[i].from_me for i in fake.office_ids())
        can_delete_chats = engine in ("WEBJS", "WPP")
        assert (fake.chats == set()) is can_delete_chats
        assert remote.chats_removed == (3 if can_delete_chats else 0)  # carla got a text
        # The citizens' phones keep what they sent; the office's replies were revoked.
        assert fake.phone_own("anna") == [
            "Wann wird die Ampel am Musterplatz repariert?",
            "So sieht sie aus",
        ]
        assert fake.phone_own("bernd") == ["<media>"]
        assert [fake.phone_texts(c) for c in ("anna", "bernd", "carla")] == [[], [], []]
        residual = " ".join(receipt.residual_retention)
        assert "citizens' phones keep the messages they sent" in residual
        assert ("cannot delete chats" in residual) is not can_delete_chats
        assert not places.session_dir.exists()
