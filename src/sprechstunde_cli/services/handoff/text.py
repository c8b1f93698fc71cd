"""What a department receives: the hand-off e-mail, and the export file when there is no SMTP.

Department-facing, so German and fixed (the citizen-facing texts are the configurable ones).
Only the question, the citizen's address and the operator's note leave the session; the
question and note pass the sanitizer, since the export file may well be read with `cat`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.handoffs import Handoff
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.texts import german_date
from sprechstunde_cli.errors import IncompleteError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.system.files import create_numbered, ensure_dir

RULE = "-" * 72


def subject(session: SessionRecord, h: Handoff) -> str:
    day = _day(session)
    return f"Bürgersprechstunde {day:%d.%m.%Y}: Frage an {_line(h.department)} (Nr. {h.thread})"


def body(session: SessionRecord, h: Handoff) -> str:
    """The e-mail text: the question, where to answer, the note — nothing else from the chat."""
    note = clean(h.note.strip()) or "(keiner)"
    return "\n".join(
        [
            "Guten Tag,",
            "",
            # One line per paragraph: the receiving mail client wraps it to its own width.
            f"in der Sprechstunde „{session.title}“ am {german_date(_day(session))} kam eine "
            "Frage, die Ihre Stelle beantworten soll "
            f"(zuständig: {_line(h.department)}). Die Person hat zugestimmt, dass wir ihre "
            "Frage und ihre E-Mail-Adresse dafür weitergeben. "
            "Bitte verwenden Sie die Adresse nur für diese Antwort.",
            "",
            f"Bitte antworten Sie per E-Mail an: {_line(h.email)}",
            "",
            "Die Frage, in den Worten der Person:",
            RULE,
            clean(h.question.strip()) or "(nur im Hinweis unten)",
            RULE,
            "",
            f"Hinweis aus dem Büro ({h.operator or 'unbekannt'}): {note}",
            "",
            "Die Chats der Sprechstunde werden nach ihrem Ende gelöscht; diese Nachricht ist die "
            "einzige Kopie der Frage.",
        ]
    )


def message_id(session: SessionRecord, h: Handoff, config: Config) -> str:
    """The same id for every send of one hand-off, so a resend after a crash is recognisable."""
    # Derived from row ids only: no address or content goes into a header of its own.
    seed = f"{session.id}\0{h.id}\0{h.created_at.isoformat()}".encode()
    domain = config.mail.sender.rsplit("@", 1)[-1] if config.mail else "localhost"
    return f"<handoff.{hashlib.sha256(seed).hexdigest()[:32]}@{domain}>"


def export_text(
    session: SessionRecord, config: Config, items: Sequence[Handoff], now: datetime
) -> str:
    """One readable text file: a header, then each hand-off as the e-mail it would have been."""
    made = now.astimezone(ZoneInfo(session.timezone))
    parts = [
        f"Übergaben aus der Sprechstunde „{session.title}“ am {german_date(_day(session))}",
        f"Sitzung {session.id}, erstellt {made:%d.%m.%Y %H:%M}, {len(items)} Übergabe(n).",
        "",
        "ACHTUNG: Diese Datei enthält personenbezogene Daten (E-Mail-Adressen und Fragen).",
        "Leiten Sie jede Übergabe an das genannte Postfach weiter und löschen Sie die Datei",
        "danach. Sie wurde nicht per E-Mail verschickt.",
    ]
    for index, h in enumerate(items, start=1):
        mailbox = config.handoff.mailbox(h.department) or "(kein Postfach eingetragen)"
        parts += [
            "",
            f"=== Übergabe {index} von {len(items)} " + "=" * 40,
            f"An:          {_line(h.department)} <{mailbox}>",
            f"Betreff:     {subject(session, h)}",
            f"Antwort an:  {_line(h.email)}",
            "",
            body(session, h),
        ]
    return "\n".join(parts) + "\n"


def export_name(session: SessionRecord, now: datetime) -> str:
    made = now.astimezone(ZoneInfo(session.timezone))
    return f"handoffs-{session.id}-{made:%Y%m%d-%H%M}"


def write_export(directory: Path, stem: str, data: bytes) -> Path:
    """Write `stem.txt` (or `stem-2.txt` …) 0600 and atomically, never replacing a file."""
    try:
        ensure_dir(directory)
        return create_numbered(directory, stem, ".txt", data)
    except FileExistsError:
        raise IncompleteError(
            _("Too many hand-off exports named {stem}* in {directory}.").format(
                stem=stem, directory=directory
            ),
            _("Move the old export files away, then run again."),
        ) from None
    except OSError as exc:
        raise IncompleteError(
            _("Cannot write the hand-off export to {directory}: {strerror}.").format(
                directory=directory, strerror=exc.strerror
            ),
            _(
                "Set [handoff] export_dir to a writable folder (or configure [mail]), then run "
                "again."
            ),
        ) from None


def _line(text: str) -> str:
    """One line, inert: a name or address that reaches a header or a line of the export file
    can never start a line of its own there."""
    return clean(text, single_line=True)


def _day(session: SessionRecord) -> datetime:
    return (session.opened_at or session.planned_start).astimezone(ZoneInfo(session.timezone))
