"""The WAHA provider builds its poller and deleter lazily, without a lock: that holds only while
one thread at a time calls it, so the purge must not fan its chats out over threads."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.providers.waha.provider import build
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.purge.remote import delete_remote
from sprechstunde_cli.store import Store
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.service_rig import make_config
from tests.support.waha_rig import ENGINES, waha_rig


@pytest.mark.parametrize("engine", ENGINES)
def test_the_purge_calls_waha_from_one_thread(engine: str, tmp_path: Path) -> None:
    config = make_config(early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
    clock = FakeClock(IN_THE_HOUR)
    store = Store.open(tmp_path / "sprechstunde.db")
    threads: set[int] = set()
    with waha_rig(engine) as rig:

        def recorded(request: httpx.Request) -> httpx.Response:
            threads.add(threading.get_ident())
            return rig.fake(request)

        transport = httpx.MockTransport(recorded)
        provider = build(
            rig.settings, rig.fake.api_key, transport=transport, pause=rig.sleeps.append
        )
        rig.providers.append(provider)  # closed by the rig
        try:
            hour.open_session(store, config.session("mittwoch"), clock.now(), actor="test")
            the_hour = hour.Hour(store, provider, config, "mittwoch", tmp_path / "media")
            for handle in ("anna", "bernd", "carla", "dora"):
                rig.fake.citizen_send(handle, "Eine Frage")
            assert the_hour.step(clock.now(), wait=0).intake.stored == 4
            threads.clear()
            result = delete_remote(store, provider, "mittwoch", False, clock)
        finally:
            store.close()
    # Each question and the greeting it got, deleted and listed again chat by chat …
    assert (result.requested, result.confirmed, result.failed) == (8, 8, ())
    assert threads == {threading.get_ident()}  # … all four chats on the caller's thread
