"""Citizen-facing texts: German defaults, placeholders, and German date formatting.

No locale module: the operator's machine locale must not change what citizens read.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

# Placeholders every citizen text may use; validated when the config is loaded.
PLACEHOLDERS = frozenset(
    {"title", "official", "office", "date", "start", "end", "next_session", "data_note"}
)

# Texts that are filled per message may use a few more placeholders.
EXTRA_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "handoff_confirmation": frozenset({"department", "email"}),
    "closing_handoff_offer": frozenset({"office_email"}),
    "media_too_large": frozenset({"max_mb"}),
}

DEFAULT_DATA_NOTE = (
    "Ihre Nachrichten, Fotos und Sprachnachrichten verwenden wir nur für diese Sprechstunde. "
    "Direkt nach ihrem Ende löschen wir alle Chats – bei uns und beim Messenger-Dienst."
)


@dataclass(frozen=True)
class Texts:
    """What the office sends citizens unasked (greeting, away text …); `[texts]` sets them."""

    greeting: str
    away: str
    call_refusal: str
    last_call: str
    closing: str
    data_note: str = DEFAULT_DATA_NOTE
    no_next_session: str = "wird rechtzeitig angekündigt"
    handoff_confirmation: str = (
        "Vielen Dank! Wir geben Ihre Frage an {department} weiter. Die Antwort kommt nach der "
        "Sprechstunde per E-Mail an {email}. Ihre Adresse verwenden wir nur dafür."
    )
    # Appended to the closing words when [handoff] offer = true.
    closing_handoff_offer: str = (
        "Wenn Sie eine Antwort per E-Mail wünschen, schreiben Sie Ihre Frage bitte mit Ihrer "
        "E-Mail-Adresse an {office_email}."
    )
    # Sent when a citizen's photo, voice note or file is over hour.max_media_mb.
    media_too_large: str = (
        "Ihre Datei ist leider zu groß; wir können Dateien bis {max_mb} MB annehmen. Bitte "
        "senden Sie ein kleineres Foto oder beschreiben Sie Ihr Anliegen im Text."
    )
    # Sent once when an end-to-end encrypted message stays unreadable for the office.
    unreadable: str = (
        "Eine Ihrer Nachrichten kam bei uns verschlüsselt an und lässt sich hier nicht "
        "öffnen. Bitte senden Sie sie noch einmal."
    )


DEFAULT_TEXTS = Texts(
    greeting=(
        "Guten Tag und willkommen zur {title}! Hier schreiben Sie mit {official} und Team. "
        "Die Sprechstunde läuft bis {end} Uhr; wir antworten der Reihe nach. "
        "Sie können Text, Fotos und Sprachnachrichten senden. Anrufe und Videoanrufe sind "
        "nicht möglich. Bitte achten Sie auf einen fairen und respektvollen Umgangston. "
        "{data_note} Fragen, die ein Fachamt klären muss, beantworten wir auf Wunsch "
        "später per E-Mail."
    ),
    away=(
        "Vielen Dank für Ihre Nachricht. Die Sprechstunde ist gerade nicht geöffnet. "
        "Nachrichten außerhalb der Sprechstunde können wir nicht beantworten; wir löschen "
        "sie sofort. Die nächste Sprechstunde: {next_session}."
    ),
    call_refusal=(
        "Anrufe und Videoanrufe sind in der Sprechstunde leider nicht möglich. "
        "Bitte schreiben Sie uns Ihr Anliegen – gern auch als Sprachnachricht."
    ),
    last_call=(
        "Die Sprechstunde endet um {end} Uhr. Wir beantworten noch so viele Nachrichten wie "
        "möglich. Was ein Fachamt klären muss, beantworten wir auf Wunsch später per E-Mail: "
        "Schreiben Sie uns dazu bitte Ihre E-Mail-Adresse."
    ),
    closing=(
        "Die Sprechstunde ist beendet. Vielen Dank für Ihre Nachricht! Ihr Anliegen konnten "
        "wir heute leider nicht mehr beantworten. Die nächste Sprechstunde: {next_session}. "
        "Alle Chats dieser Sprechstunde werden jetzt gelöscht."
    ),
)


def placeholders_in(template: str) -> set[str]:
    """Field names a template uses; raises ValueError on a malformed template."""
    names: set[str] = set()
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(f"'{{{field}}}' is not a plain placeholder")
        names.add(field)
    return names


def german_date(moment: datetime) -> str:
    return f"{WEEKDAYS_DE[moment.weekday()]}, {moment:%d.%m.%Y}"


def german_span(start: datetime, end: datetime) -> str:
    """'Mittwoch, 02.12.2026, 16:00–17:00 Uhr' in the session's own time zone."""
    return f"{german_date(start)}, {start:%H:%M}–{end:%H:%M} Uhr"


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a validated template. Values are the office's own data, never citizen text."""
    return template.format_map(dict(values))
