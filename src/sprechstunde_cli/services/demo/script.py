"""The rehearsal's script: who writes what and when, what the office answers, and its config.

The script runs in "hour seconds": the demo hour is HOUR of them; `speed` maps them to real
seconds (1.0 for a watchable rehearsal of about a minute, a few hundredths for tests).
Every name and address here is fictitious.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.providers.local.provider import LocalProvider

HOUR = 60.0
LAST_CALL_BEFORE_END = 12.0
CLOSING_GRACE = 10.0  # in the same scaled minutes as HOUR
SESSION_ID = "probe"
OPERATOR = "Büro der OB"


@dataclass(frozen=True)
class CitizenCue:
    """What a scripted citizen does, and when in the rehearsal's hour."""

    at: float
    handle: str
    name: str
    action: str  # text | image | voice | call | edit (their last message) | withdraw (it)
    text: str = ""


@dataclass(frozen=True)
class ReplyCue:
    """What the office answers a scripted citizen, and when in the rehearsal's hour."""

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
    CitizenCue(
        8,
        "anna",
        "Anna",
        "edit",
        "Guten Tag! Wann ist die Baustelle in der Musterstraße 12 fertig? "
        "Der Lärm ist kaum auszuhalten.",
    ),
    CitizenCue(10, "carla", "", "voice"),
    CitizenCue(14, "dieter", "Dieter", "text", "Ihr im Rathaus kriegt doch eh nichts gebacken!!!"),
    # Thought better of it: deleted for everyone, so the office no longer has it either.
    CitizenCue(16, "dieter", "Dieter", "withdraw"),
    CitizenCue(
        17,
        "dieter",
        "Dieter",
        "text",
        "Entschuldigung. Wann wird die Straßenlaterne im Musterweg repariert?",
    ),
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
        "Danke für den Hinweis! Die Straßenlaterne im Musterweg wird diese Woche repariert.",
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
                # Scaled like the hour: a citizen who never reads does not hold the demo up.
                "closing_grace_minutes": CLOSING_GRACE * speed / 60,
            },
            "sessions": {
                SESSION_ID: {
                    "title": "Probe-Sprechstunde",
                    "official": "Oberbürgermeisterin Erika Mustermann",
                    "start": start.isoformat(),
                    "end": (start + length).isoformat(),
                    "provider": LocalProvider.name,
                }
            },
        }
    )
