"""A scripted rehearsal on the local messenger: citizens write, operators answer, all is deleted.

The script runs in "hour seconds": the demo hour is HOUR of them; `speed` maps them to real
seconds (1.0 for a watchable rehearsal of about a minute, a few hundredths for tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.media import make_ogg_opus, make_png
from sprechstunde_cli.domain.model import Clock, MessageKind
from sprechstunde_cli.providers.local.provider import LocalProvider
from sprechstunde_cli.providers.local.server import LocalMessenger
from sprechstunde_cli.services.close import CloseReport, close
from sprechstunde_cli.services.hour import Hour, StepReport, open_session
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.threads import reply
from sprechstunde_cli.store import Store, outbox

HOUR = 60.0
LAST_CALL_BEFORE_END = 12.0
SESSION_ID = "probe"
OPERATOR = "Büro der OB"


@dataclass(frozen=True)
class CitizenCue:
    at: float
    handle: str
    name: str
    action: str  # text | image | voice | call
    text: str = ""


@dataclass(frozen=True)
class ReplyCue:
    at: float
    handle: str
    text: str


CITIZENS: tuple[CitizenCue, ...] = (
    CitizenCue(
        2,
        "anna",
        "Anna",
        "text",
        "Guten Tag! Wann ist die Baustelle in der Musterstraße fertig? "
        "Der Lärm ist kaum auszuhalten.",
    ),
    CitizenCue(
        6,
        "ben",
        "Ben",
        "image",
        "Die Schaukel auf dem Spielplatz am Beispielpark ist kaputt, siehe Foto.",
    ),
    CitizenCue(10, "carla", "", "voice"),
    CitizenCue(14, "dieter", "Dieter", "text", "Ihr im Rathaus kriegt doch eh nichts gebacken!!!"),
    CitizenCue(18, "emil", "Emil", "call"),
    CitizenCue(
        21,
        "emil",
        "Emil",
        "text",
        "Ach so, dann schreibe ich: Gibt es im Stadtteil noch freie Kita-Plätze?",
    ),
    CitizenCue(
        24,
        "frieda",
        "Frieda",
        "text",
        "Mein Wohngeldantrag liegt seit drei Monaten beim Amt. Können Sie nachfragen? "
        "Antwort gern an frieda@example.org",
    ),
    CitizenCue(HOUR + 3, "gustav", "Gustav", "text", "Hallo, ist die Sprechstunde noch offen?"),
)

REPLIES: tuple[ReplyCue, ...] = (
    ReplyCue(
        28,
        "anna",
        "Die Arbeiten in der Musterstraße sollen bis Ende März fertig sein. "
        "Ihre Beschwerde über den Lärm geben wir an das Tiefbauamt weiter.",
    ),
    ReplyCue(
        32,
        "ben",
        "Danke für das Foto! Das Grünflächenamt sperrt die Schaukel heute noch und repariert sie.",
    ),
    ReplyCue(36, "carla", "Danke für Ihre Sprachnachricht, wir kümmern uns darum."),
    ReplyCue(
        40,
        "dieter",
        "Wir nehmen Kritik ernst und bitten um einen respektvollen Ton. "
        "Was genau ist Ihr Anliegen?",
    ),
    ReplyCue(
        44,
        "frieda",
        "Das klären wir mit dem Wohngeldamt und antworten Ihnen nach der Sprechstunde per E-Mail.",
    ),
)

SCRIPT_END = HOUR + 8


def demo_config(now: datetime, speed: float) -> Config:
    """An in-memory config: one session starting now, the demo hour scaled to `speed`."""
    length = timedelta(seconds=HOUR * speed)
    start = now
    return parse_config(
        {
            "office": {
                "name": "Stadt Musterstadt",
                "operator": OPERATOR,
                "timezone": "Europe/Berlin",
            },
            "hour": {
                "last_call_minutes": LAST_CALL_BEFORE_END * speed / 60,
                "poll_seconds": min(0.5, max(0.02, speed / 4)),
            },
            "sessions": {
                SESSION_ID: {
                    "title": "Probe-Sprechstunde",
                    "official": "Oberbürgermeisterin Erika Mustermann",
                    "start": start.isoformat(),
                    "end": (start + length).isoformat(),
                    "provider": "local",
                }
            },
        }
    )


@dataclass
class DemoResult:
    session_id: str
    threads: int = 0
    received: int = 0
    replies: int = 0
    calls_refused: int = 0
    late: int = 0
    close: CloseReport | None = None
    receipt: dict[str, Any] | None = None
    counters: dict[str, int] = field(default_factory=dict)


Notify = Callable[[str, Any], None]  # (kind, payload): "citizen", "reply", "step", "phase"


def run_demo(
    store: Store,
    messenger: LocalMessenger,
    config: Config,
    clock: Clock,
    *,
    speed: float,
    places: Places,
    keep: bool,
    notify: Notify,
) -> DemoResult:
    spec = config.session(SESSION_ID)
    provider = LocalProvider(messenger)
    t0 = clock.now()
    open_session(store, spec, t0, actor=OPERATOR, rehearse=True)
    notify("phase", f"Session '{spec.id}' is open.")
    hour = Hour(store, provider, config, spec.id, places.session_dir / "media")
    citizens = list(CITIZENS)
    replies = list(REPLIES)
    photo = make_png(320, 240, (46, 139, 87))
    voice = make_ogg_opus(4.0)
    result = DemoResult(spec.id)

    def script_now() -> float:
        return (clock.now() - t0).total_seconds() / speed

    while True:
        elapsed = script_now()
        while citizens and citizens[0].at <= elapsed:
            citizen = citizens.pop(0)
            _act(messenger, citizen, photo, voice)
            notify("citizen", citizen)
        for answer in [r for r in replies if r.at <= elapsed]:
            number = store.thread_number(spec.id, answer.handle)
            if number is None:
                continue  # that citizen's message has not come in yet: try again next round
            replies.remove(answer)
            session = store.require_session(spec.id)
            reply(
                store,
                provider,
                session,
                number,
                answer.text,
                operator=OPERATOR,
                now=clock.now(),
                media_dir=places.session_dir / "media",
                max_media_bytes=config.hour.max_media_bytes,
            )
            result.replies += 1
            notify("reply", (number, answer))
        report: StepReport = hour.step(clock.now(), wait=config.hour.poll_seconds)
        notify("step", report)
        pending = outbox.counts(store, spec.id).get(outbox.PENDING, 0)
        if elapsed >= SCRIPT_END and not citizens and not replies and not pending:
            break
    counters = store.counters(spec.id)
    result.threads = len(store.thread_rows(spec.id))
    result.received = sum(v for k, v in counters.items() if k.startswith("received_"))
    result.calls_refused = counters.get("calls_refused", 0)
    result.late = counters.get("late_messages", 0)
    notify("phase", "Closing the hour.")
    result.close = close(
        store,
        provider,
        config,
        spec.id,
        clock.now(),
        actor=OPERATOR,
        export_dir=places.export_dir,
        sleep=clock.sleep,
    )
    if not keep:
        notify("phase", "Deleting all chats, here and at the messenger.")
        result.receipt = purge(store, provider, config, spec.id, clock, places=places, mailer=None)
    result.counters = store.counters(spec.id)
    return result


def _act(messenger: LocalMessenger, cue: CitizenCue, photo: bytes, voice: bytes) -> None:
    if cue.action == "call":
        messenger.citizen_call(cue.handle, name=cue.name)
    elif cue.action == "image":
        messenger.citizen_send(
            cue.handle,
            cue.text,
            name=cue.name,
            kind=MessageKind.IMAGE,
            media=photo,
            mime="image/png",
            filename="schaukel.png",
        )
    elif cue.action == "voice":
        messenger.citizen_send(
            cue.handle,
            cue.text,
            name=cue.name,
            kind=MessageKind.VOICE,
            media=voice,
            mime="audio/ogg",
            filename="sprachnachricht.ogg",
            duration=4.0,
        )
    else:
        messenger.citizen_send(cue.handle, cue.text, name=cue.name)
