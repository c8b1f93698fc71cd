"""Everything that formats for a terminal (Rich) lives here.

Citizen-controlled text reaches Rich only as `Text(clean(...))`: never as a markup string, never
through `Text.from_markup`, and consoles are built with `markup=False` as a second line of defence.
Our own words go through the same path, so no code here ever needs to ask whether a string is safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sprechstunde_cli.domain.model import (
    Direction,
    MediaInfo,
    MessageKind,
    MessageRecord,
    SessionRecord,
    ThreadRow,
)
from sprechstunde_cli.render.sanitize import clean

if TYPE_CHECKING:
    from sprechstunde_cli.providers.local.server import PhoneEntry

LAST_LINE_CHARS = 60
CITIZEN_CHARS = 32
TAIL_LINE_CHARS = 200
NAME_CHARS = 40
CLAIMED_CHARS = 16

_HEADERS = ("#", "citizen", "waiting", "unread", "claimed", "last")
_RIGHT_ALIGNED = frozenset({0, 3})
_GAP = "  "

# Lines live_view spends outside the table rows: title, info, table header, header rule, footer.
_LIVE_CHROME_LINES = 5

_KIND_WORDS = {
    MessageKind.TEXT: "text",
    MessageKind.IMAGE: "photo",
    MessageKind.VOICE: "voice note",
    MessageKind.FILE: "file",
}


def make_console(
    *, stderr: bool = False, file: IO[str] | None = None, width: int | None = None
) -> Console:
    """Build a console that prints text literally; Rich itself honours NO_COLOR and TERM=dumb."""
    return Console(
        stderr=stderr,
        file=file,
        width=width,
        markup=False,
        highlight=False,
        emoji=False,
    )


def citizen_text(
    text: str, *, single_line: bool = False, limit: int | None = None, style: str = ""
) -> Text:
    """Sanitize text and wrap it in a Text that Rich will never parse as markup."""
    return Text(clean(text, single_line=single_line, limit=limit), style=style)


# --- small formatters -----------------------------------------------------------------------


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
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def media_label(kind: MessageKind, media: MediaInfo | None) -> str:
    """Describe media: `photo 1200×800, 48 KB`, `voice note 0:42, 12 KB`, `file 3 KB`."""
    word = _KIND_WORDS.get(kind, str(kind))
    if media is None:
        return word
    parts: list[str] = []
    if media.width and media.height:
        parts.append(f"{media.width}×{media.height}")
    if media.duration is not None and media.duration > 0:
        parts.append(duration_text(media.duration))
    if media.size > 0:
        parts.append(human_size(media.size))
    return f"{word} {', '.join(parts)}" if parts else word


def _hhmm(at: datetime, tz: tzinfo | None) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def _zone(name: str) -> tzinfo:
    # The config validates zone names; a store written by another machine may still name one
    # this machine lacks, and a live view must not die over a clock label.
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# --- threads --------------------------------------------------------------------------------


def _waiting_cell(row: ThreadRow, now: datetime, tz: tzinfo) -> Text:
    if row.waiting_since is None:
        return Text("—", style="dim")
    span = span_text(now - row.waiting_since)
    return Text(f"{span} since {_hhmm(row.waiting_since, tz)}")


def _last_cell(row: ThreadRow) -> Text:
    cell = Text(no_wrap=True, overflow="ellipsis")
    if row.last_direction is Direction.OUT:
        cell.append("→ ", style="dim")
    if row.last_kind is not None and row.last_kind is not MessageKind.TEXT:
        # Literal brackets: a Text is never parsed as markup.
        cell.append(f"[{_KIND_WORDS[row.last_kind]}]", style="cyan")
        if row.last_line:
            cell.append(" ")
    cell.append(clean(row.last_line, single_line=True, limit=LAST_LINE_CHARS))
    return cell


def _row_cells(row: ThreadRow, now: datetime, tz: tzinfo) -> list[Text]:
    return [
        Text(str(row.number)),
        citizen_text(row.citizen, single_line=True, limit=CITIZEN_CHARS),
        _waiting_cell(row, now, tz),
        Text(str(row.unread) if row.unread else "", style="bold"),
        citizen_text(row.claimed_by or "", single_line=True, limit=CLAIMED_CHARS),
        _last_cell(row),
    ]


def _join_cells(cells: Sequence[Text], widths: Sequence[int], style: str = "") -> Text:
    line = Text(style=style, no_wrap=True, overflow="ellipsis")
    last = len(cells) - 1
    for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        gap = " " * (width - cell.cell_len)
        if index in _RIGHT_ALIGNED:
            line.append(gap)
        line.append_text(cell)
        if index != last:
            line.append("" if index in _RIGHT_ALIGNED else gap)
            line.append(_GAP)
    return line


def threads_table(
    rows: Sequence[ThreadRow], *, now: datetime, tz: tzinfo, max_rows: int | None = None
) -> Table:
    """Build the thread table; only the first max_rows rows are rendered, then '… and N more'."""
    # Slicing before any formatting keeps a 2,000-thread session as cheap as a 40-thread one.
    shown = rows if max_rows is None else rows[: max(0, max_rows)]
    cells = [_row_cells(row, now, tz) for row in shown]
    headers = [Text(h) for h in _HEADERS]
    widths = [max(c[i].cell_len for c in [headers, *cells]) for i in range(len(_HEADERS))]
    # One Rich column holding lines we align ourselves: Rich lays out a table cell by cell at
    # ~0.1 ms each, which made 40 rows × 6 columns cost more than a live-view frame may. Each line
    # is cut at the terminal's edge, so `last` is the column that gives way on a narrow screen.
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0, header_style="bold"
    )
    table.add_column(_join_cells(headers, widths), no_wrap=True, overflow="ellipsis")
    for row, row_cells in zip(shown, cells, strict=True):
        table.add_row(
            _join_cells(row_cells, widths, "dim" if row.answered and not row.unread else "")
        )
    hidden = len(rows) - len(shown)
    if hidden > 0:
        more = Text(" " * (widths[0] + len(_GAP)), no_wrap=True, overflow="ellipsis")
        more.append(f"… and {hidden} more", style="dim italic")
        table.add_row(more)
    return table


def live_view(
    session: SessionRecord,
    rows: Sequence[ThreadRow],
    *,
    now: datetime,
    status: str,
    height: int,
) -> RenderableType:
    """Build the `open` screen: session header, as many threads as fit in height, status line."""
    tz = _zone(session.timezone)
    title = Text()
    title.append(clean(session.title, single_line=True, limit=80), style="bold")
    title.append(" · ")
    title.append(clean(session.official, single_line=True, limit=NAME_CHARS))

    left = session.end - now
    waiting = sum(1 for r in rows if r.waiting_since is not None)
    info = Text(style="dim")
    info.append(f"{session.state.value} · ends {_hhmm(session.end, tz)} · ")
    info.append(f"{span_text(left)} left" if left > timedelta(0) else "time is up")
    info.append(f" · {len(rows)} thread{'' if len(rows) == 1 else 's'}, {waiting} waiting")

    footer = citizen_text(status, single_line=True, style="dim")
    if not rows:
        body: RenderableType = Text("No messages yet.", style="dim")
    else:
        room = max(1, height - _LIVE_CHROME_LINES)
        # When rows are cut, the '… and N more' row needs a line of its own.
        fit = room if len(rows) <= room else max(1, room - 1)
        body = threads_table(rows, now=now, tz=tz, max_rows=fit)
    return Group(title, info, body, footer)


# --- messages -------------------------------------------------------------------------------


def _sender_label(msg: MessageRecord, citizen: str) -> Text:
    if msg.direction is Direction.IN:
        return citizen_text(citizen, single_line=True, limit=NAME_CHARS, style="bold")
    details = [d for d in (msg.operator, msg.purpose.value if msg.purpose else None) if d]
    label = f"office ({', '.join(details)})" if details else "office"
    return citizen_text(label, single_line=True, limit=80, style="bold cyan")


def thread_view(
    number: int, citizen: str, messages: Sequence[MessageRecord], *, tz: tzinfo
) -> RenderableType:
    """Build `show`: every message of one thread, with time, sender, body and media."""
    head = Text(f"Thread #{number} · ", style="bold")
    head.append(clean(citizen, single_line=True, limit=NAME_CHARS))
    parts: list[RenderableType] = [head]
    if not messages:
        parts.append(Text("No messages.", style="dim"))
    for msg in messages:
        line = Text(_hhmm(msg.at, tz) + "  ", style="dim")
        line.append_text(_sender_label(msg, citizen))
        parts.append(Text(""))
        parts.append(line)
        body = Text()
        if msg.media is not None or msg.kind is not MessageKind.TEXT:
            body.append(f"[{media_label(msg.kind, msg.media)}]", style="cyan")
            if msg.media is not None and msg.media.path:
                body.append(" ")
                body.append(clean(msg.media.path, single_line=True), style="underline")
            if msg.body:
                body.append("\n")
        body.append(clean(msg.body))
        parts.append(Padding(body, (0, 0, 0, 2), expand=False))
    return Group(*parts)


def message_line(
    msg: MessageRecord, citizen: str, *, tz: tzinfo, limit: int | None = TAIL_LINE_CHARS
) -> Text:
    """Build one `tail` line: `HH:MM #3 anna: text…`, outgoing as `HH:MM #3 → office: …`."""
    line = Text(f"{_hhmm(msg.at, tz)} #{msg.thread} ")
    if msg.direction is Direction.OUT:
        line.append("→ office", style="cyan")
    else:
        line.append(clean(citizen, single_line=True, limit=NAME_CHARS), style="bold")
    line.append(": ")
    if msg.media is not None or msg.kind is not MessageKind.TEXT:
        line.append(f"[{media_label(msg.kind, msg.media)}]", style="cyan")
        if msg.body:
            line.append(" ")
    line.append(clean(msg.body, single_line=True, limit=limit))
    return line


# --- the sandbox citizen's phone ------------------------------------------------------------


def _phone_entry(entry: PhoneEntry, tz: tzinfo | None) -> Text:
    line = Text(_hhmm(entry.at, tz) + "  ", style="dim")
    # `incoming` is from the phone's side: True means the office sent it.
    line.append("office: " if entry.incoming else "you: ", style="bold")
    if entry.type == "call":
        kind = clean(entry.kind, single_line=True, limit=16)
        state = clean(entry.call_state or "unknown", single_line=True, limit=24)
        line.append(f"{kind} call, {state}", style="italic")
        return line
    try:
        kind = MessageKind(entry.kind)
    except ValueError:
        kind = MessageKind.FILE
    if kind is not MessageKind.TEXT:
        line.append(f"[{media_label(kind, MediaInfo(mime=entry.mime or '', size=entry.size))}]")
        if entry.text:
            line.append(" ")
    line.append(clean(entry.text))
    return line


def phone_view(
    handle: str, entries: Sequence[PhoneEntry], *, tz: tzinfo | None = None
) -> RenderableType:
    """Build `sandbox inbox`: what this citizen's phone shows, both ways, calls included."""
    head = Text("Phone of ", style="bold")
    head.append(clean(handle, single_line=True, limit=NAME_CHARS))
    if not entries:
        return Group(head, Text("Nothing yet.", style="dim"))
    return Group(head, *(_phone_entry(e, tz) for e in entries))


def receipt_view(body: Mapping[str, Any]) -> RenderableType:
    """The deletion receipt as plain lines; it holds no personal data, but stays literal."""
    counts = body.get("counts", {})
    verification = body.get("verification", {})
    lines = [
        f"Löschprotokoll / deletion receipt — session {body.get('session')}",
        f"  {body.get('title', '')} ({body.get('tool', '')})",
        f"  planned: {body['planned']['start']} – {body['planned']['end']}",
        f"  opened:  {body['actual']['opened']}   closed: {body['actual']['closed']}",
        f"  purge:   {body['purge']['started']} – {body['purge']['ended']}",
        "  counts:  " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()),
    ]
    for result in body.get("providers", []):
        state = (
            "skipped by operator"
            if result.get("skipped_by_operator")
            else (
                f"{result['confirmed']} of {result['requested']} deleted, "
                f"{result['remaining']} remaining, {result['chats_removed']} chat(s) removed"
            )
        )
        lines.append(
            f"  messenger {result['provider']} (reach: "
            f"{str(result['reach']).replace('_', ' ')}): {state}"
        )
        lines.extend(f"    failed: {reason}" for reason in result.get("failed", []))
    for entry in body.get("stores", []):
        details = ", ".join(f"{k} {v}" for k, v in entry.items() if k not in ("store", "ok"))
        lines.append(
            f"  {entry['store']}: {'ok' if entry.get('ok') else 'FAILED'}"
            + (f" ({details})" if details else "")
        )
    lines.append(
        f"  verification: {verification.get('result')} — searched for "
        f"{verification.get('searched_for')} forms in {verification.get('files_scanned')} "
        f"files ({verification.get('short_texts_not_searched')} short texts not searched)"
    )
    lines.extend(f"  kept elsewhere: {text}" for text in body.get("residual_retention", []))
    lines.extend(
        f"  hand-off export (take it to the departments): {path}"
        for path in body.get("handoff_exports", [])
    )
    return Group(*(citizen_text(line) for line in lines))
