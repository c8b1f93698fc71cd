"""Closing words read before the room goes: a citizen on an independent client (matrix-nio)
against the real Synapse, an office that is the server's admin (its purge deletes the rooms)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nio import AsyncClient, RoomMessageText, RoomPreset, SyncResponse

from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.purge.closing import Waiting
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.service_rig import make_config
from tests.support.synapse import Synapse, unique
from tests.support.synapse_fixtures import MakeProvider

SID = "mittwoch"


class NioCitizen:
    """A citizen's Matrix app: matrix-nio, logged in with the citizen's password."""

    def __init__(self, server: Synapse, handle: str) -> None:
        self.account = server.register(unique(handle), name=handle.title())
        self.client = AsyncClient(server.url, self.account.user_id)
        self.loop = asyncio.new_event_loop()
        self.run(self.client.login(self.account.password))
        self.token: str | None = None

    def run(self, step):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(step)

    def open_chat(self, office: str, text: str) -> str:
        """A direct chat as Element opens one (trusted: the office may redact in it)."""
        created = self.run(
            self.client.room_create(
                is_direct=True, invite=[office], preset=RoomPreset.trusted_private_chat
            )
        )
        self.run(
            self.client.room_send(
                created.room_id, "m.room.message", {"msgtype": "m.text", "body": text}
            )
        )
        return str(created.room_id)

    def read(self, room_id: str) -> list[str]:
        """Sync like the app does, show the room, and send a read receipt for its last event."""
        answer = self.run(self.client.sync(timeout=0, since=self.token))
        assert isinstance(answer, SyncResponse)
        self.token = answer.next_batch
        room = answer.rooms.join.get(room_id)
        events = room.timeline.events if room else []
        texts = [e.body for e in events if isinstance(e, RoomMessageText)]
        if events:
            last = events[-1].event_id
            self.run(self.client.room_read_markers(room_id, last, last))
        return texts

    def close(self) -> None:
        self.run(self.client.close())
        self.loop.close()


def test_the_room_is_deleted_only_after_the_citizen_read_the_closing_words(
    synapse_server: Synapse, make_provider: MakeProvider, tmp_path: Path
) -> None:
    admin = synapse_server.register(unique("office"), admin=True, name="Bürgerbüro")
    provider = make_provider(admin, server_admin=True)
    citizen = NioCitizen(synapse_server, "anna")
    config = make_config(closing_grace_minutes=10, early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    data = tmp_path / "data"
    places = Places(data, data / "sessions" / SID, data / "log", tmp_path)
    store = Store.open(data / "sprechstunde.db")
    try:
        citizen.read("")  # the first sync: nothing yet
        room = citizen.open_chat(admin.user_id, "Wann ist der Wertstoffhof offen?")
        hour.open_session(store, config.session(SID), clock.now(), actor="t")
        running = hour.Hour(store, provider, config, SID, places.session_dir / "media")
        for _ in range(50):  # the real server: until the office joined and took the message
            running.step(clock.now(), 0.2)
            if store.thread_rows(SID):
                break
        running.deliver_everything(clock)
        closing.close(store, provider, config, SID, clock, actor="t")
        words = closing.closing_text(store, config, SID)
        start = clock.now()
        seen: list[str] = []

        def app_opens(state: Waiting) -> None:
            # While the purge waits, the citizen's app syncs and shows the closing words.
            assert state.receipts and state.unconfirmed == 1
            seen.extend(citizen.read(room))

        receipt = purge(
            store, provider, config, SID, clock, places=places, mailer=None, waiting=app_opens
        )
        assert words in seen  # the citizen had them on screen before the room went
        assert receipt.counts["closing_words_confirmed"] == 1
        assert (clock.now() - start).total_seconds() < 60  # not the ten minutes' grace
        [result] = receipt.providers
        assert result.ok, result
        # And then the room is really gone for the citizen too.
        joined = citizen.run(citizen.client.joined_rooms())
        assert room not in joined.rooms
    finally:
        store.close()
        citizen.close()
