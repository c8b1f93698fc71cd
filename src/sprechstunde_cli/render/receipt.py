"""The deletion receipt (Löschprotokoll) and the session's figures, as plain lines.

The receipt is a list of (label, value) rows, built once (`receipt_rows`) and shown by the
terminal view here and by the PDF (`render/receipt_pdf.py`). Each value is one field: a time, a
count, a result; a field is never broken across lines (the console does not wrap it, a pipe
has no edge). Every label is marked `N_()` in `LABELS`, `COUNT_LABELS` and `STORE_LABELS` and
put in the operator's language where a row is built, so the PDF reads the same words.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from sprechstunde_cli.domain.receipt import SENT_WITHOUT_ID, Receipt, Statistics
from sprechstunde_cli.i18n import N_, _
from sprechstunde_cli.render.closing import unverified_line
from sprechstunde_cli.render.console import citizen_text
from sprechstunde_cli.render.formats import (
    REACH_WORDS,
    STATE_WORDS,
    VERIFICATION_WORDS,
    WEEKDAYS,
    human_size,
    word,
    zone,
)

LABELS = {
    "heading": N_("Deletion receipt (Löschprotokoll)"),
    "session": N_("session"),
    "title": N_("title"),
    "messenger": N_("messenger"),
    "zone": N_("times in"),
    "planned": N_("planned"),
    "opened": N_("opened"),
    "ended": N_("hour ended"),
    "closed": N_("closed"),
    "purge_started": N_("purge started"),
    "purge_ended": N_("purge finished"),
    "at_messenger": N_("deleted at the messenger"),
    "reach": N_("how far deletion reaches"),
    "failed": N_("failed at the messenger"),
    "verification": N_("verification"),
    "kept_elsewhere": N_("kept elsewhere"),
    "handoff_export": N_("hand-off export (take it to the departments)"),
    "tool": N_("written by"),
    "none": N_("none"),
    "yes": N_("yes"),
    "no": N_("no"),
    "ok": N_("done"),
    "failed_store": N_("FAILED"),
    "skipped": N_("skipped by the operator (--skip-provider)"),
    "not_verified": N_("not verified"),
    "personal_data": N_("personal data in this receipt"),
    "personal_data_value": N_("none (counts, times and the office's own names only)"),
}
COUNT_LABELS = {
    "threads": N_("threads (conversations)"),
    "answered_threads": N_("threads answered"),
    "messages_in": N_("messages received"),
    "messages_out": N_("messages sent"),
    "photos": N_("photos"),
    "voice_notes": N_("voice notes"),
    "files": N_("files"),
    "media_bytes": N_("size of photos and files"),
    "late_messages_dropped": N_("late messages turned away"),
    "calls_refused": N_("calls refused"),
    "withdrawn_by_citizens": N_("messages withdrawn by citizens"),
    "unshowable_received": N_("messages that could not be shown (labelled)"),
    "sent_without_id": N_("office messages without an id at the messenger"),
    "handoffs_delivered": N_("hand-offs mailed"),
    "handoffs_exported": N_("hand-offs exported"),
    "closing_words_sent": N_("closing words sent"),
    "closing_words_failed": N_("closing words not deliverable"),
    "closing_words_confirmed": N_("closing words confirmed by the citizen's app"),
    "closing_grace_seconds": N_("waited for the closing words (seconds, at most)"),
}
STORE_LABELS = {
    "local database": N_("local database"),
    "media folder": N_("media folder"),
    "temporary files": N_("temporary files"),
    "session key": N_("session key"),
}
DETAIL_LABELS = {
    "rows": N_("rows"),
    "wal": N_("write-ahead log"),
    "files": N_("files"),
    "bytes": N_("size"),
    "destroyed": N_("destroyed"),
    "deleted": N_("deleted"),
    "checkpointed (truncate)": N_("checkpointed (truncate)"),
}

Row = tuple[str, str]


def receipt_rows(receipt: Receipt) -> list[Row]:
    """Every field of the receipt as (label, value), in reading order."""
    rows: list[Row] = [
        (_(LABELS["session"]), receipt.session),
        (_(LABELS["title"]), receipt.title),
        (_(LABELS["messenger"]), receipt.provider),
        *_time_rows(receipt),
    ]
    rows += [(word(COUNT_LABELS, k), _count(k, v)) for k, v in _ordered(receipt.counts)]
    rows += _deletion_rows(receipt)
    check = receipt.verification
    found = word(VERIFICATION_WORDS, check.result)
    rows.append(
        (
            _(LABELS["verification"]),
            _(
                "{found}: {searched_for} search forms in {files_scanned} files; "
                "{short_texts} short texts only counted"
            ).format(
                found=found,
                searched_for=check.searched_for,
                files_scanned=check.files_scanned,
                short_texts=check.short_texts_not_searched,
            ),
        )
    )
    if receipt.counts.get(SENT_WITHOUT_ID):
        rows.append((_(LABELS["not_verified"]), unverified_line(receipt.counts[SENT_WITHOUT_ID])))
    rows += [(_(LABELS["kept_elsewhere"]), text) for text in receipt.residual_retention]
    rows += [(_(LABELS["handoff_export"]), path) for path in receipt.handoff_exports]
    rows.append((_(LABELS["personal_data"]), _(LABELS["personal_data_value"])))
    rows.append((_(LABELS["tool"]), receipt.tool))
    return rows


def _time_rows(receipt: Receipt) -> list[Row]:
    # A receipt from before zones were kept has none: its UTC times, said so.
    where = receipt.timezone or "UTC"
    tz = zone(where)
    return [
        (_(LABELS["zone"]), where),
        (_(LABELS["planned"]), span(receipt.planned_start, receipt.planned_end, tz)),
        (_(LABELS["opened"]), moment(receipt.opened, tz)),
        (_(LABELS["ended"]), moment(receipt.end, tz)),
        (_(LABELS["closed"]), moment(receipt.closed, tz)),
        (_(LABELS["purge_started"]), moment(receipt.purge_started, tz)),
        (_(LABELS["purge_ended"]), moment(receipt.purge_ended, tz)),
    ]


def _deletion_rows(receipt: Receipt) -> list[Row]:
    """What the messenger and each place on this machine did."""
    rows: list[Row] = []
    for result in receipt.providers:
        if result.skipped_by_operator:
            done = _(LABELS["skipped"])
        else:
            done = _(
                "{confirmed} of {requested} messages, {remaining} remaining, "
                "{chats_removed} chat(s) removed"
            ).format(
                confirmed=result.confirmed,
                requested=result.requested,
                remaining=result.remaining,
                chats_removed=result.chats_removed,
            )
        rows.append((_(LABELS["at_messenger"]), done))
        rows.append((_(LABELS["reach"]), word(REACH_WORDS, result.reach)))
        rows += [(_(LABELS["failed"]), reason) for reason in result.failed]
    for entry in receipt.stores:
        state = _(LABELS["ok"]) if entry.ok else _(LABELS["failed_store"])
        details = [f"{word(DETAIL_LABELS, k)} {_detail(k, v)}" for k, v in entry.details.items()]
        rows.append((word(STORE_LABELS, entry.store), ", ".join([state, *details])))
    return rows


def receipt_view(receipt: Receipt) -> FieldLines:
    """The receipt as plain lines; it holds no personal data, but stays literal."""
    return FieldLines(
        _("{heading} — {session}").format(heading=_(LABELS["heading"]), session=receipt.session),
        tuple(receipt_rows(receipt)),
    )


@dataclass(frozen=True)
class FieldLines:
    """`label: value` lines laid out for the width at hand, never breaking a field: a row too
    wide for the terminal puts its value on the next line instead, and only a value wider than
    the whole line (a sentence) is wrapped, between words. A pipe has no edge (render/console.py
    `PIPE_WIDTH`), so there every row is one line."""

    heading: str
    rows: tuple[Row, ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield _line(self.heading)
        for line, (_label, value) in zip(aligned(self.rows), self.rows, strict=True):
            if cell_len(line) <= width:
                yield _line(line)
                continue
            yield _line(line[: len(line) - len(value)].rstrip())  # `  label:`
            room = max(20, width - len(VALUE_INDENT))
            for part in textwrap.wrap(value, room, break_long_words=False, break_on_hyphens=False):
                yield _line(VALUE_INDENT + part)


VALUE_INDENT = "    "


def _line(text: str) -> Text:
    line = citizen_text(text, single_line=True)
    line.no_wrap = True
    return line


def moment(iso: str | None, tz: tzinfo, *, seconds: bool = True) -> str:
    """`Wed 16.12.2026, 16:00:05`: the wall clock of the session's zone, no microseconds."""
    if not iso:
        return "—"
    at = datetime.fromisoformat(iso).astimezone(tz)
    clock = at.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{WEEKDAYS[at.weekday()]} {at:%d.%m.%Y}, {clock}"


def span(start: str, end: str, tz: tzinfo) -> str:
    """`Wed 16.12.2026, 16:00 – 17:00`; the end's date only when it is another day."""
    first = moment(start, tz, seconds=False)
    last = datetime.fromisoformat(end).astimezone(tz)
    same_day = datetime.fromisoformat(start).astimezone(tz).date() == last.date()
    return f"{first} – {last:%H:%M}" if same_day else f"{first} – {moment(end, tz, seconds=False)}"


def stats_lines(figures: Statistics) -> list[str]:
    """`stats`: the figures for the next press release."""
    wait = figures.median_wait_seconds
    rows = [
        (_("threads"), str(figures.threads)),
        (_("answered live"), str(figures.answered_live)),
        (_("handed to departments"), str(figures.handed_off)),
        (_("late messages"), str(figures.late_messages)),
        (_("before, between hours"), str(figures.between_hours)),
        (_("calls refused"), str(figures.calls_refused)),
        (_("photos / voice notes"), f"{figures.photos} / {figures.voice_notes}"),
        (_("withdrawn / edited"), f"{figures.withdrawn} / {figures.edited}"),
        (_("not showable (label)"), str(figures.unshowable)),
        (_("median wait"), "—" if wait is None else _("{value:.1f} min").format(value=wait / 60)),
    ]
    rows += [
        (_("topic {name}").format(name=name), str(count)) for name, count in figures.topics.items()
    ]
    heading = _("Session {session} ({value})").format(
        session=figures.session, value=word(STATE_WORDS, figures.state)
    )
    return [heading, *aligned(rows)]


def aligned(rows: Sequence[Row]) -> list[str]:
    """`label:  value` lines, the values in one column whatever the labels' lengths (a
    translation makes them longer)."""
    width = max((len(label) for label, _value in rows), default=0) + 1
    return [f"  {label + ':':<{width}} {value}" for label, value in rows]


def _ordered(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    known = [(k, counts[k]) for k in COUNT_LABELS if k in counts]
    return known + sorted((k, v) for k, v in counts.items() if k not in COUNT_LABELS)


def _count(key: str, value: int) -> str:
    return human_size(value) if _in_bytes(key) else str(value)


def _detail(key: str, value: str | int | bool) -> str:
    if isinstance(value, bool):
        return _(LABELS["yes"]) if value else _(LABELS["no"])
    if isinstance(value, int) and _in_bytes(key):
        return human_size(value)
    return _(DETAIL_LABELS[str(value)]) if str(value) in DETAIL_LABELS else str(value)


def _in_bytes(key: str) -> bool:
    # `media_bytes`, `bytes`: a size, shown as people read one.
    return key.rpartition("_")[2] == "bytes"
