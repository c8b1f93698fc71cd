"""Shared set-up for the benches: a config whose session is open now, stores with many threads.

Fictitious numbers only (+49 000 …). Nothing here is timed; the bench scripts time around it.
"""

from __future__ import annotations

import os
import platform
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.model import MessageKind, SessionState
from sprechstunde_cli.store import Store

SESSION = "bench"
TIMEZONE = "Europe/Berlin"
QUESTION = "Frage {n}: Wann wird der Spielplatz an der Parkstraße endlich saniert? Danke!"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"python {platform.python_version()} · {platform.platform()} · {cpu} · "
        f"{os.cpu_count()} CPUs"
    )


def config_text(start: datetime, end: datetime, *, poll: float = 0.05) -> str:
    zone = ZoneInfo(TIMEZONE)
    start, end = start.astimezone(zone), end.astimezone(zone)
    return (
        f'[office]\nname = "Stadt Musterstadt"\ntimezone = "{TIMEZONE}"\n\n'
        f"[hour]\npoll_seconds = {poll}\n\n"
        f"[sessions.{SESSION}]\n"
        'title = "WhatsApp-Sprechstunde der Oberbürgermeisterin"\n'
        'official = "Oberbürgermeisterin Erika Mustermann"\n'
        f"start = {start:%Y-%m-%dT%H:%M:%S}\nend = {end:%Y-%m-%dT%H:%M:%S}\n"
        'provider = "local"\n'
    )


def hour_now(base: Path, *, poll: float = 0.05) -> tuple[Path, Config]:
    """Write a config whose session runs from 5 minutes ago for an hour; return it parsed."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    text = config_text(now - timedelta(minutes=5), now + timedelta(minutes=55), poll=poll)
    path = base / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path, parse_config(tomllib.loads(text))


def open_store(store: Store, config: Config, now: datetime) -> None:
    store.ensure_session(config.session(SESSION))
    store.transition(SESSION, SessionState.OPEN, now, "bench", opened_at=now)


def fill(store: Store, threads: int, per_thread: int, now: datetime) -> None:
    """`threads` threads with `per_thread` citizen messages each, in one transaction per 500."""
    n = 0
    for first in range(0, threads, 500):
        with store.write() as conn:
            for t in range(first, min(threads, first + 500)):
                for m in range(per_thread):
                    store.add_inbound(
                        conn,
                        SESSION,
                        provider_id=f"bench-{t}-{m}",
                        chat=f"+49 000 {t:07d}",
                        display_name=f"Bürgerin {t}",
                        at=now + timedelta(seconds=t + m),
                        kind=MessageKind.TEXT,
                        body=QUESTION.format(n=n),
                        media=None,
                    )
                    n += 1


def take_in(
    base: Path, store: Store, config: Config, messages: int, threads: int, *, long_thread: int = 0
) -> int:
    """Citizens write through the local messenger, interleaved (message n comes from citizen
    n mod threads, so every thread's messages lie between the others'), and `open`'s step takes
    them in: sealed, greeted, cursor advanced, as real intake stores them. `long_thread` more
    messages come from citizen 0, spread over the stream (a thread to `show`). Returns how many
    messages the store took."""
    from sprechstunde_cli.providers.local.provider import LocalProvider
    from sprechstunde_cli.providers.local.server import LocalMessenger
    from sprechstunde_cli.services.hour import Hour

    messenger = LocalMessenger(base / "data" / "local-messenger.db")
    every = max(1, messages // long_thread) if long_thread else 0
    sent = 0
    for n in range(messages):
        messenger.citizen_send(f"+49 000 {n % threads:07d}", QUESTION.format(n=n))
        sent += 1
        if every and n % every == 0 and n // every < long_thread:
            messenger.citizen_send(f"+49 000 {0:07d}", QUESTION.format(n=f"{n}b"))
            sent += 1
    hour = Hour(store, LocalProvider(messenger), config, SESSION, base / "media")
    stored = 0
    try:
        while stored < sent:
            stored += hour.step(datetime.now(UTC), 0.0).intake.stored
    finally:
        messenger.close()
    return stored
