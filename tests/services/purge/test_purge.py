"""The purge: forensic (0 hits in any encoding), resumable after a crash at any step, honest."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.errors import IncompleteError, ProviderError, StoreError
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services import purge as purge_mod
from sprechstunde_cli.services import reply as operator
from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.services.purge import Places, plan, purge
from sprechstunde_cli.services.purge.verify import encodings
from sprechstunde_cli.services.receipt import statistics_for
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.paths import key_dir_for
from tests.support import REPO
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.service_rig import make_config


class Crash(BaseException):
    """Stands in for kill -9: nothing below catches a BaseException."""


@dataclass
class Canaries:
    text: str
    caption: str
    reply: str
    filename: str
    photo: bytes
    number: str = "+49 000 0031337"
    name: str = "Kanarienvogel Testperson"

    def texts(self) -> list[str]:
        return [self.text, self.caption, self.reply, self.filename, self.number, self.name]


@dataclass
class World:
    root: Path
    data: Path
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    places: Places
    canaries: Canaries

    def purge(self, provider: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Purge, and return the receipt in its one JSON form (what `receipt --json` prints)."""
        receipt = purge(
            self.store,
            provider or self.provider,
            self.config,
            "mittwoch",
            self.clock,
            places=self.places,
            mailer=None,
            **kwargs,
        )
        return receipt.to_json()

    def reopen(self) -> None:
        """What a new process sees after a crash: fresh connections to the same files."""
        self.store.close()
        self.messenger.close()
        self.store = Store.open(self.data / "sprechstunde.db")
        self.messenger = LocalMessenger(self.data / "local-messenger.db", stamp=self.clock.now)
        self.provider = LocalProvider(self.messenger)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    data = tmp_path / "data"
    tag = secrets.token_hex(6)
    canaries = Canaries(
        text=f"Kanarientext-{tag} über die Müllabfuhr",
        caption=f"Bildunterschrift-{tag}",
        reply=f"Antwort-{tag} vom Büro",
        filename=f"kanarienfoto-{tag}.png",
        photo=make_png(40, 30, (11, 22, 33)) + secrets.token_bytes(64),
    )
    store = Store.open(data / "sprechstunde.db")
    clock = FakeClock(IN_THE_HOUR)
    messenger = LocalMessenger(data / "local-messenger.db", stamp=clock.now)
    provider = LocalProvider(messenger)
    config = make_config()
    places = Places(
        data_dir=data,
        session_dir=data / "sessions" / "mittwoch",
        log_file=data / "log" / "sprechstunde.log",
        export_dir=tmp_path / "export",
    )
    w = World(tmp_path, data, store, messenger, provider, config, clock, places, canaries)
    hour.open_session(store, config.session("mittwoch"), clock.now(), actor="t")
    running = hour.Hour(store, provider, config, "mittwoch", places.session_dir / "media")
    messenger.citizen_send(canaries.number, canaries.text, name=canaries.name)
    messenger.citizen_send(
        "c2",
        canaries.caption,
        kind=MessageKind.IMAGE,
        media=canaries.photo,
        mime="image/png",
        filename=canaries.filename,
    )
    running.step(clock.now(), 0)
    session = store.require_session("mittwoch")
    operator.reply(
        store,
        provider,
        session,
        1,
        canaries.reply,
        operator="a",
        now=clock.now(),
        media_dir=places.session_dir / "media",
        max_media_bytes=10**6,
    )
    closing.close(
        store, provider, config, "mittwoch", clock, actor="t", export_dir=places.export_dir
    )
    yield w
    w.store.close()
    w.messenger.close()


def hits(root: Path, canaries: Canaries) -> list[tuple[str, str]]:
    """Every file under root that holds any canary, in any encoding (test-side, independent)."""
    needles = {form for text in canaries.texts() for form in encodings(text)}
    needles.add(canaries.photo[-64:])  # the random tail of the photo
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            found.extend((path.name, repr(n[:20])) for n in needles if n in blob)
    return found


def test_before_the_purge_the_canaries_are_really_there(world: World) -> None:
    # Guards the forensic test below: the scan finds plaintext where plaintext is.
    assert hits(world.root, world.canaries)
    # ...but our own store holds bodies and media only encrypted.
    store_files = [p for p in world.data.glob("sprechstunde.db*")]
    media = list((world.places.session_dir / "media").iterdir())
    for path in [*store_files, *media]:
        blob = path.read_bytes()
        assert world.canaries.text.encode() not in blob and world.canaries.photo not in blob
        assert world.canaries.name.encode() not in blob  # the display name is sealed too


def test_a_leaked_copy_of_a_display_name_fails_the_verification(world: World) -> None:
    # The name the citizen gave the messenger is searched for like what they wrote.
    leak = world.data / "notizen.txt"
    leak.write_text(f"Rückruf: {world.canaries.name}", encoding="utf-8")
    with pytest.raises(IncompleteError) as err:
        world.purge()
    assert leak.name in err.value.message
    assert (key_dir_for(world.data) / "mittwoch.key").exists()  # kept: nothing is lost
    leak.unlink()
    assert world.purge()["verification"]["result"] == "clean"


def test_purge_leaves_no_trace_in_any_encoding(world: World) -> None:
    receipt = world.purge()
    assert hits(world.root, world.canaries) == []
    assert receipt["verification"]["result"] == "clean"
    assert receipt["verification"]["searched_for"] > 0
    assert receipt["providers"][0] | {"failed": []} == receipt["providers"][0]
    assert receipt["providers"][0]["ok"] and receipt["providers"][0]["remaining"] == 0
    assert not (key_dir_for(world.data) / "mittwoch.key").exists()
    assert world.store.require_session("mittwoch").state is SessionState.PURGED
    assert world.messenger.phone("c2") == [] and world.messenger.phone(world.canaries.number) == []


def test_the_receipt_holds_no_personal_data(world: World) -> None:
    receipt = world.purge()
    text = json.dumps(receipt, ensure_ascii=False)
    forbidden = [*world.canaries.texts(), "c2", "0031337", "loc-"]
    for value in world.canaries.texts():
        forbidden.append(hashlib.sha256(value.encode()).hexdigest())
        forbidden.append(hashlib.sha256(value.encode()).hexdigest()[:16])
    for needle in forbidden:
        assert needle not in text
    counts = receipt["counts"]
    assert (counts["threads"], counts["photos"], counts["messages_in"]) == (2, 1, 2)
    assert counts["media_bytes"] == len(world.canaries.photo)
    assert receipt["planned"]["start"].startswith("2026-12-02T15:00")
    assert receipt["purge"]["started"] and receipt["purge"]["ended"]
    assert receipt["tool"].startswith("sprechstunde ")


CRASH_POINTS: list[tuple[str, str]] = [
    ("_drain_late", "before"),
    ("delete_remote", "after"),
    ("delete_local", "after"),
    ("scan", "after"),
    ("build_receipt", "before"),
]


@pytest.mark.parametrize(("name", "when"), CRASH_POINTS)
def test_a_purge_killed_at_any_step_completes_on_a_rerun(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str, when: str
) -> None:
    real: Callable[..., Any] = getattr(purge_mod, name)

    def crashing(*args: Any, **kwargs: Any) -> Any:
        if when == "after":
            real(*args, **kwargs)
        raise Crash(name)

    monkeypatch.setattr(purge_mod, name, crashing)
    with pytest.raises(Crash):
        world.purge()
    monkeypatch.setattr(purge_mod, name, real)
    world.reopen()
    receipt = world.purge()
    assert receipt["verification"]["result"] == "clean"
    assert world.store.require_session("mittwoch").state is SessionState.PURGED
    assert hits(world.root, world.canaries) == []
    assert receipt["counts"]["threads"] == 2  # counted before anything was deleted


def test_kill_9_during_the_purge_then_rerun(world: World) -> None:
    """A real SIGKILL of a purge process, at a point chosen by the OS scheduler."""
    world.store.close()
    world.messenger.close()
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from tests.support.clocks import FakeClock, IN_THE_HOUR
from tests.support.service_rig import make_config
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services import purge as p
from sprechstunde_cli.store import Store
data = __import__("pathlib").Path({str(world.data)!r})
store = Store.open(data / "sprechstunde.db")
provider = LocalProvider(LocalMessenger(data / "local-messenger.db"))
real = p.delete_local
def die(*a, **k):
    real(*a, **k)
    os.kill(os.getpid(), signal.SIGKILL)
p.delete_local = die
p.purge(store, provider, make_config(), "mittwoch", FakeClock(IN_THE_HOUR),
        places=p.Places(data, data / "sessions" / "mittwoch", data / "log" / "x.log",
                        data.parent / "export"), mailer=None)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        # The subprocess imports tests.support, and this checkout's sources rather than
        # whichever copy the interpreter has installed.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    world.reopen()
    assert world.store.require_session("mittwoch").state is SessionState.CLOSED
    assert world.purge()["verification"]["result"] == "clean"
    assert hits(world.root, world.canaries) == []


def test_dry_run_plans_and_changes_nothing(world: World) -> None:
    p = plan(world.store, world.provider, "mittwoch")
    assert (p.chats, p.local_messages, p.media_files) == (2, 6, 1)
    assert p.provider_messages >= 5
    assert world.store.require_session("mittwoch").state is SessionState.CLOSED
    assert hits(world.root, world.canaries)


class Unreachable(LocalProvider):
    def delete_messages(self, chat: str, provider_ids: Any) -> DeleteOutcome:
        raise ProviderError("connection refused", retryable=True)


def test_an_unreachable_messenger_keeps_everything_for_a_rerun(world: World) -> None:
    with pytest.raises(IncompleteError) as err:
        world.purge(provider=Unreachable(world.messenger))
    assert "--skip-provider" in err.value.hint
    assert world.store.messages("mittwoch")  # still readable: the key was not destroyed
    world.purge()
    assert hits(world.root, world.canaries) == []


def test_skip_provider_hides_nothing_and_is_recorded(world: World) -> None:
    # The local messenger keeps its data in the data dir: skipping it leaves remains there,
    # and the verification says so instead of calling the purge done.
    with pytest.raises(IncompleteError) as err:
        world.purge(provider=Unreachable(world.messenger), skip_provider=True)
    assert "local-messenger.db" in err.value.message
    for chat in world.messenger.chats():
        world.messenger.delete_chat(chat)  # the operator cleared the messenger another way
    receipt = world.purge(provider=Unreachable(world.messenger), skip_provider=True)
    assert receipt["providers"][0]["skipped_by_operator"] is True
    assert hits(world.root, world.canaries) == []


def test_a_busy_checkpoint_is_a_failure_not_a_success(world: World) -> None:
    reader = sqlite3.connect(world.data / "sprechstunde.db")
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM sessions").fetchone()  # holds a read snapshot
    try:
        with pytest.raises(StoreError) as err:
            world.purge()
        assert "busy" in err.value.message
    finally:
        reader.rollback()
        reader.close()
    assert world.store.require_session("mittwoch").state is SessionState.CLOSED
    world.purge()
    assert hits(world.root, world.canaries) == []


def test_verification_finds_a_leaked_copy_and_keeps_the_key(world: World) -> None:
    leak = world.data / "notizen.txt"
    leak.write_text(f"kopiert: {world.canaries.text}".lower(), encoding="utf-16")
    with pytest.raises(IncompleteError) as err:
        world.purge()
    assert "notizen.txt" in err.value.message
    assert world.canaries.text not in err.value.message
    assert (key_dir_for(world.data) / "mittwoch.key").exists()
    leak.unlink()
    assert world.purge()["verification"]["result"] == "clean"


def test_late_messages_after_the_close_are_turned_away_and_counted(world: World) -> None:
    world.messenger.citizen_send("spaet", "Noch jemand da? Ich habe eine Frage.")
    world.messenger.citizen_send("spaet", "Hallo?")
    receipt = world.purge()
    # The receipt reads the counter after the drain, as `stats` does: the two agree.
    assert receipt["counts"]["late_messages_dropped"] == 2
    assert statistics_for(world.store, "mittwoch").late_messages == 2
    assert world.messenger.phone("spaet") == []  # away reply sent, then everything deleted


def test_statistics_survive_the_purge(world: World) -> None:
    before = statistics_for(world.store, "mittwoch")
    world.purge()
    after = statistics_for(world.store, "mittwoch")
    assert dataclasses.replace(before, state=SessionState.PURGED) == after
    assert (after.threads, after.answered_live, after.photos) == (2, 1, 1)
    assert after.median_wait_seconds == 0.0


def test_purge_is_refused_while_the_hour_is_open(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    config = make_config()
    hour.open_session(store, config.session("mittwoch"), IN_THE_HOUR, actor="t")
    messenger = LocalMessenger(tmp_path / "m.db")
    with pytest.raises(Exception) as err:
        purge(
            store,
            LocalProvider(messenger),
            config,
            "mittwoch",
            FakeClock(IN_THE_HOUR),
            places=Places(tmp_path, tmp_path / "s", tmp_path / "l", tmp_path),
            mailer=None,
        )
    assert "close" in getattr(err.value, "hint", "")
    messenger.close()
    store.close()
    assert os.path.exists(tmp_path / "s.db")
