"""The built-in local messenger: the provider contract, plus what only a local server can show."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.base.events import InboundMessage, MediaRef
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.local import schema as local_schema
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from tests.support.contract import ProviderContract, ProviderEnv, collect
from tests.support.local_rig import LocalCitizens


@pytest.fixture
def server(tmp_path: Path) -> Path:
    return tmp_path / "data" / "local-messenger.db"


class TestLocalContract(ProviderContract):
    @pytest.fixture
    def env(self, server: Path) -> Iterator[ProviderEnv]:
        providers: list[Provider] = [LocalProvider(LocalMessenger(server))]
        phones = LocalMessenger(server)

        def restart() -> Provider:
            providers.append(LocalProvider(LocalMessenger(server)))
            return providers[-1]

        yield ProviderEnv(providers[0], LocalCitizens(phones), restart, settle=2.0)
        for provider in providers:
            provider.close()
        phones.close()


# --- what only the local messenger shows ----------------------------------------------------

CITIZEN = """
import sys
from pathlib import Path
from sprechstunde_cli.providers.local.server import LocalMessenger

server, chat, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
phone = LocalMessenger(server)
for i in range(count):
    phone.citizen_send(chat, f"{chat} {i}")
phone.close()
"""


def test_citizens_in_other_processes_lose_nothing_while_the_office_receives(
    server: Path,
) -> None:
    provider = LocalProvider(LocalMessenger(server))
    count = 120
    chats = ["+49 000 0000021", "+49 000 0000022"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CITIZEN, str(server), chat, str(count)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for chat in chats
    ]
    try:
        events, _, calls = collect(provider, None, set(chats), 2 * count, within=15)
    finally:
        for proc in procs:
            _, err = proc.communicate(timeout=15)
            assert proc.returncode == 0, err
            assert err == ""
        provider.close()
    for chat in chats:
        got = [e.text for e in events if isinstance(e, InboundMessage) and e.chat == chat]
        assert got == [f"{chat} {i}" for i in range(count)]
    assert len({e.provider_id for e in events}) == 2 * count
    assert calls > 1  # received while the citizens were still writing


def test_office_send_with_one_key_from_two_connections_is_stored_once(server: Path) -> None:
    first, second = LocalMessenger(server), LocalMessenger(server)
    chat = "+49 000 0000031"
    keys = [f"race-{i}" for i in range(40)]
    results: dict[str, list[str]] = {key: [] for key in keys}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(messenger: LocalMessenger) -> None:
        try:
            for key in keys:
                barrier.wait(timeout=10)
                results[key].append(messenger.office_send(chat, f"Antwort {key}", key))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=send, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert all(len(set(ids)) == 1 and len(ids) == 2 for ids in results.values())
        shown = [e.text for e in first.phone(chat) if e.incoming]
        assert shown == [f"Antwort {key}" for key in keys]
    finally:
        first.close()
        second.close()


def test_media_above_the_servers_limit_is_refused_both_ways(
    server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_schema, "MAX_MEDIA_BYTES", 1024)
    messenger = LocalMessenger(server)
    provider = LocalProvider(LocalMessenger(server))
    chat = "+49 000 0000041"
    try:
        with pytest.raises(ProviderError) as caught:
            messenger.citizen_send(chat, "zu groß", kind=MessageKind.IMAGE, media=b"x" * 1025)
        assert "1024 bytes" in caught.value.message  # the limit as it is, not as it was
        messenger.citizen_send(chat, "passt", kind=MessageKind.IMAGE, media=b"x" * 1024)
        with pytest.raises(ProviderError):
            provider.send_media(
                chat,
                OutboundMedia(MessageKind.FILE, "application/pdf", b"y" * 1025),
                "Bescheid",
                key="big-1",
            )
        assert [e.text for e in messenger.phone(chat)] == ["passt"]
    finally:
        messenger.close()
        provider.close()


def test_download_trusts_the_bytes_not_the_declared_size(server: Path) -> None:
    messenger = LocalMessenger(server)
    provider = LocalProvider(LocalMessenger(server))
    try:
        message_id = messenger.citizen_send(
            "+49 000 0000051", kind=MessageKind.FILE, media=b"z" * 500, mime="application/pdf"
        )
        lying = MediaRef(ref=message_id, mime="application/pdf", size=10, filename="a.pdf")
        with pytest.raises(ProviderError):
            provider.download_media(lying, max_bytes=100)
        unknown = MediaRef(ref=message_id, mime="application/pdf", size=None, filename="")
        assert provider.download_media(unknown, max_bytes=500) == b"z" * 500
    finally:
        messenger.close()
        provider.close()


def test_a_cursor_from_another_provider_is_a_provider_error(server: Path) -> None:
    provider = LocalProvider(LocalMessenger(server))
    try:
        with pytest.raises(ProviderError) as caught:
            provider.receive("s72_1234_matrix-sync-token", wait=0)
        assert caught.value.hint
    finally:
        provider.close()


def test_receive_waits_in_small_steps_and_gives_up_on_time(server: Path) -> None:
    provider = LocalProvider(LocalMessenger(server))
    try:
        started = time.monotonic()
        batch = provider.receive(None, wait=0.2)
        assert 0.15 <= time.monotonic() - started < 5  # it waited, then gave up
        assert (batch.events, batch.cursor) == ((), "0")
    finally:
        provider.close()
