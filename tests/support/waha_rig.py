"""The WAHA provider wired to the fake WAHA (HTTP via MockTransport, /ws on loopback)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from sprechstunde_cli.providers.waha.provider import WahaProvider, build
from sprechstunde_cli.providers.waha.settings import WahaSettings
from tests.support.fakes import waha_changes
from tests.support.fakes.waha import FakeWaha
from tests.support.fakes.waha_ws import WsHub

ENGINES = ("WEBJS", "WPP", "NOWEB", "GOWS")


@dataclass
class WahaRig:
    fake: FakeWaha
    hub: WsHub
    settings: WahaSettings
    sleeps: list[float] = field(default_factory=list)
    providers: list[WahaProvider] = field(default_factory=list)

    def provider(self, **overrides: Any) -> WahaProvider:
        settings = dataclasses.replace(self.settings, **overrides)
        provider = build(
            settings,
            self.fake.api_key,
            transport=httpx.MockTransport(self.fake),
            pause=self.sleeps.append,  # pacing is recorded, never slept
        )
        self.providers.append(provider)
        return provider


@contextmanager
def waha_rig(
    engine: str = "WEBJS", *, strict: bool = True, **fake_options: Any
) -> Iterator[WahaRig]:
    """Yield a rig; afterwards the fake must have seen no spec violation and, if `strict`,
    no request for a method the engine lacks (capabilities should have prevented it)."""
    fake = FakeWaha(engine=engine, **fake_options)
    hub = WsHub(fake)
    settings = WahaSettings(
        base_url=hub.base_url,
        engine=engine,
        send_delay_seconds=1.5,
        poll_interval_seconds=0.05,
        timeout_seconds=5,
    )
    rig = WahaRig(fake, hub, settings)
    try:
        yield rig
    finally:
        for provider in rig.providers:
            provider.close()
        hub.close()
    assert fake.violations == []
    if strict:
        assert fake.unimplemented == []


class WahaCitizens:
    """The citizens' phones as the fake WAHA models them."""

    def __init__(self, fake: FakeWaha) -> None:
        self.fake = fake

    def chat_id(self, handle: str) -> str:
        return self.fake.citizen(handle).pn

    def send_text(self, handle: str, text: str) -> None:
        self.fake.citizen_send(handle, text)

    def send_image(self, handle: str, data: bytes, caption: str) -> None:
        self.fake.citizen_send(handle, caption, data, "image/png", "foto.png")

    def send_voice(self, handle: str, data: bytes) -> None:
        self.fake.citizen_send(handle, "", data, "audio/ogg; codecs=opus")

    def call(self, handle: str) -> None:
        self.fake.citizen_call(handle)

    def withdraw(self, handle: str) -> None:
        waha_changes.revoke(self.fake, handle)

    def edit(self, handle: str, text: str) -> None:
        waha_changes.edit(self.fake, handle, text)

    def phone(self, handle: str) -> list[str]:
        return self.fake.phone_texts(handle)

    def phone_media(self, handle: str) -> list[bytes]:
        return self.fake.phone_media(handle)

    def phone_files(self, handle: str) -> list[tuple[str, str]]:
        items = self.fake.citizen(handle).phone
        return [
            (i.msg.filename or "", i.msg.mimetype or "")
            for i in items
            if i.msg.from_me and not i.revoked and i.msg.data
        ]

    def call_declined(self, handle: str) -> bool:
        return self.fake.call_declined(handle)

    def notices(self) -> list[str]:
        return [str(status["text"]) for status in self.fake.statuses]
