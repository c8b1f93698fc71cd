"""The deletion receipt (Löschprotokoll) and the session's figures, as plain lines.

The receipt is a list of (label, value) rows, built once (`receipt_rows`) and shown by the
terminal view here and by the PDF (`render/receipt_pdf.py`). Each value is one field: a time, a
count, a result; a field is never broken across lines (the console does not wrap it, a pipe
has no edge). Every label is a plain literal in `LABELS`, `COUNT_LABELS` and `STORE_LABELS`, so
a translation wraps them in one place.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from sprechstunde_cli.domain.receipt import Receipt, Statistics
from sprechstunde_cli.render.closing import unverified_line
from sprechstunde_cli.render.console import citizen_text
from sprechstunde_cli.render.formats import WEEKDAYS, human_size, zone

LABELS = {
    "heading": "Deletion receipt (Löschprotokoll)",
    "session": "session",
    "title": "title",
    "messenger": "messenger",
    "zone": "times in",
    "planned": "planned",
    "opened": "opened",
    "ended": "hour ended",
    "closed": "closed",
    "purge_started": "purge started",
    "purge_ended": "purge finished",
    "at_messenger": "deleted at the messenger",
    "reach": "how far deletion reaches",
    "failed": "failed at the messenger",
    "verification": "verification",
    "kept_elsewhere": "kept elsewhere",
    "handoff_export": "hand-off export (take it to the departments)",
    "tool": "written by",
    "none": "none",
    "yes": "yes",
    "no": "no",
    "ok": "done",
    "failed_store": "FAILED",
    "skipped": "skipped by the operator (--skip-provider)",
    "clean": "clean",
    "remains": "remains found",
    "not_verified": "not verified",
    "personal_data": "personal data in this receipt",
    "personal_data_value": "none (counts, times and the office's own names only)",
}
COUNT_LABELS = {
    "threads": "threads (conversations)",
    "answered_threads": "threads answered",
    "messages_in": "messages received",
    "messages_out": "messages sent",
    "photos": "photos",
    "voice_notes": "voice notes",
    "files": "files",
    "media_bytes": "size of photos and files",
    "late_messages_dropped": "late messages turned away",
    "calls_refused": "calls refused",
    "handoffs_delivered": "hand-offs mailed",
    "handoffs_exported": "hand-offs exported",
    "closing_words_sent": "closing words sent",
    "closing_words_failed": "closing words not deliverable",
    "closing_words_confirmed": "closing words confirmed by the citizen's app",
    "closing_grace_seconds": "waited for the closing words (seconds, at most)",
}
STORE_LABELS = {
    "local database": "local database",
    "media folder": "media folder",
    "temporary files": "temporary files",
    "session key": "session key",
}
DETAIL_LABELS = {
    "rows": "rows",
    "wal": "write-ahead log",
    "files": "files",
    "bytes": "size",
    "destroyed": "destroyed",
    "deleted": "deleted",
    "checkpointed (truncate)": "checkpointed (truncate)",
}
REACH_WORDS = {
    "none": "none",
    "operator_side": "the office's side only",
    "both_sides": "both sides of each chat",
    "server_wide": "the whole server",
}

Row = tuple[str, str]


def receipt_rows(receipt: Receipt) -> list[Row]:
    """Every field of the receipt as (label, value), in reading order."""
    rows: list[Row] = [
        (LABELS["session"], receipt.session),
        (LABELS["title"], receipt.title),
        (LABELS["messenger"], receipt.provider),
        *_time_rows(receipt),
    ]
    rows += [(COUNT_LABELS.get(k, _words(k)), _count(k, v)) for k, v in _ordered(receipt.counts)]
    rows += _deletion_rows(receipt)
    check = receipt.verification
    found = LABELS["clean"] if check.result == "clean" else LABELS["remains"]
    rows.append(
        (
            LABELS["verification"],
            f"{found}: {check.searched_for} search forms in {check.files_scanned} files; "
            f"{check.short_texts_not_searched} short texts only counted",
        )
    )
    if receipt.counts.get("sent_without_id", 0):
        rows.append((LABELS["not_verified"], unverified_line(receipt.counts["sent_without_id"])))
    rows += [(LABELS["kept_elsewhere"], text) for text in receipt.residual_retention]
    rows += [(LABELS["handoff_export"], path) for path in receipt.handoff_exports]
    rows.append((LABELS["personal_data"], LABELS["personal_data_value"]))
    rows.append((LABELS["tool"], receipt.tool))
    return rows


def _time_rows(receipt: Receipt) -> list[Row]:
    # A receipt from before zones were kept has none: its UTC times, said so.
    where = receipt.timezone or "UTC"
    tz = zone(where)
    return [
        (LABELS["zone"], where),
        (LABELS["planned"], span(receipt.planned_start, receipt.planned_end, tz)),
        (LABELS["opened"], moment(receipt.opened, tz)),
        (LABELS["ended"], moment(receipt.end, tz)),
        (LABELS["closed"], moment(receipt.closed, tz)),
        (LABELS["purge_started"], moment(receipt.purge_started, tz)),
        (LABELS["purge_ended"], moment(receipt.purge_ended, tz)),
    ]


def _deletion_rows(receipt: Receipt) -> list[Row]:
    """What the messenger and each place on this machine did."""
    rows: list[Row] = []
    for result in receipt.providers:
        if result.skipped_by_operator:
            done = LABELS["skipped"]
        else:
            done = (
                f"{result.confirmed} of {result.requested} messages, {result.remaining} "
                f"remaining, {result.chats_removed} chat(s) removed"
            )
        rows.append((LABELS["at_messenger"], done))
        rows.append((LABELS["reach"], REACH_WORDS.get(result.reach, _words(result.reach))))
        rows += [(LABELS["failed"], reason) for reason in result.failed]
    for entry in receipt.stores:
        state = LABELS["ok"] if entry.ok else LABELS["failed_store"]
        details = [
            f"{DETAIL_LABELS.get(k, _words(k))} {_detail(k, v)}" for k, v in entry.details.items()
        ]
        rows.append((STORE_LABELS.get(entry.store, entry.store), ", ".join([state, *details])))
    return rows


def receipt_view(receipt: Receipt) -> FieldLines:
    """The receipt as plain lines; it holds no personal data, but stays literal."""
    return FieldLines(f"{LABELS['heading']} — {receipt.session}", tuple(receipt_rows(receipt)))


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
        for line, (_, value) in zip(aligned(self.rows), self.rows, strict=True):
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
        ("threads", str(figures.threads)),
        ("answered live", str(figures.answered_live)),
        ("handed to departments", str(figures.handed_off)),
        ("late messages", str(figures.late_messages)),
        ("before, between hours", str(figures.between_hours)),
        ("calls refused", str(figures.calls_refused)),
        ("photos / voice notes", f"{figures.photos} / {figures.voice_notes}"),
        ("withdrawn / edited", f"{figures.withdrawn} / {figures.edited}"),
        ("not showable (label)", str(figures.unshowable)),
        ("median wait", "—" if wait is None else f"{wait / 60:.1f} min"),
    ]
    rows += [(f"topic {name}", str(count)) for name, count in figures.topics.items()]
    return [f"Session {figures.session} ({figures.state.value})", *aligned(rows)]


def aligned(rows: Sequence[Row]) -> list[str]:
    """`label:  value` lines, the values in one column whatever the labels' lengths (a
    translation makes them longer)."""
    width = max((len(label) for label, _ in rows), default=0) + 1
    return [f"  {label + ':':<{width}} {value}" for label, value in rows]


def _ordered(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    known = [(k, counts[k]) for k in COUNT_LABELS if k in counts]
    return known + sorted((k, v) for k, v in counts.items() if k not in COUNT_LABELS)


def _count(key: str, value: int) -> str:
    return human_size(value) if key.endswith("bytes") else str(value)


def _detail(key: str, value: str | int | bool) -> str:
    if isinstance(value, bool):
        return LABELS["yes"] if value else LABELS["no"]
    if isinstance(value, int) and key.endswith("bytes"):
        return human_size(value)
    return DETAIL_LABELS.get(str(value), str(value))


def _words(value: str) -> str:
    return value.replace("_", " ")
