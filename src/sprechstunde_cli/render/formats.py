"""Small plain-text formatters shared by the views: sizes, durations, spans, media labels.

No Rich here: the plain-text commands use these too, and they must stay cheap to import.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.i18n import N_, _

if TYPE_CHECKING:
    from sprechstunde_cli.domain.messages import MediaInfo

# Fixed English names: strftime("%a") would follow the operator's locale.
WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))

KIND_WORDS = {
    MessageKind.TEXT: _("text"),
    MessageKind.IMAGE: _("photo"),
    MessageKind.VOICE: _("voice note"),
    MessageKind.FILE: _("file"),
}


# What a document is, in a word an operator knows; any other type shows as its MIME type.
DOCUMENT_WORDS = {
    "application/pdf": _("PDF"),
    "text/plain": _("text"),
    "application/zip": _("ZIP"),
    "application/msword": _("Word"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("Word"),
    "application/vnd.ms-excel": _("Excel"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Excel"),
    "application/vnd.ms-powerpoint": _("PowerPoint"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _("PowerPoint"),
    "application/vnd.oasis.opendocument.text": _("OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": _("OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": _("OpenDocument presentation"),
}

# How a view marks what the citizen did to a message after sending it.
WITHDRAWN = _("withdrawn by the citizen")
EDITED = _("edited")

# The words for stored values in the operator's language; the values themselves stay as they
# are in the store, the JSON output and scripts.
STATE_WORDS = {
    "planned": N_("planned"),
    "announced": N_("announced"),
    "open": N_("open"),
    "closing": N_("closing"),
    "closed": N_("closed"),
    "purged": N_("purged"),
}
PURPOSE_WORDS = {
    "greeting": N_("greeting"),
    "reply": N_("reply"),
    "away": N_("away reply"),
    "call_refusal": N_("call refusal"),
    "last_call": N_("last call"),
    "closing": N_("closing words"),
    "handoff": N_("hand-off confirmation"),
}
# How far a messenger's deletion reaches (the purge, its plan and the receipt say it alike).
REACH_WORDS = {
    "none": N_("none"),
    "operator_side": N_("the office's side only"),
    "both_sides": N_("both sides of each chat"),
    "server_wide": N_("the whole server"),
}

# The purge's verification result, as the receipt stores it.
VERIFICATION_WORDS = {
    "clean": N_("clean"),
    "remains found": N_("remains found"),
}


def word(words: dict[str, str], value: str) -> str:
    """`value` (a state, purpose or reach) in the operator's language."""
    return _(words[value]) if value in words else value.replace("_", " ")


def human_size(size: int) -> str:
    """Format a byte count the way people read it: `512 B`, `48 KB`, `1.5 MB`."""
    if size < 1024:
        return f"{size} B"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    if unit == "KB" or value >= 10:
        return f"{round(value)} {unit}"
    return f"{value:.1f} {unit}"


def duration_text(seconds: float) -> str:
    """Format a media duration as m:ss (h:mm:ss from one hour on)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def span_text(delta: timedelta) -> str:
    """Format a span for people: `<1 min`, `4 min`, `1 h 05 min`."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _("<1 min")
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)


def media_label(kind: MessageKind, media: MediaInfo | None) -> str:
    """Describe media: `photo 1200×800, 48 KB`, `voice note 0:42, 12 KB`, `file 3 KB`."""
    word = KIND_WORDS.get(kind, str(kind))
    if media is None:
        return word
    parts: list[str] = []
    if kind is MessageKind.FILE and media.mime:
        parts.append(DOCUMENT_WORDS.get(media.mime, media.mime))
    if media.width and media.height:
        parts.append(f"{media.width}×{media.height}")
    if media.duration is not None and media.duration > 0:
        parts.append(duration_text(media.duration))
    if media.size > 0:
        parts.append(human_size(media.size))
    return f"{word} {', '.join(parts)}" if parts else word


def hhmm(at: datetime, tz: tzinfo | None) -> str:
    # What strftime("%H:%M") gives, at a third of its cost: `show` prints hundreds of these.
    local = at.astimezone(tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def zone(name: str) -> tzinfo:
    # The config validates zone names; a store written by another machine may still name one
    # this machine lacks, and a live view must not die over a clock label.
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
