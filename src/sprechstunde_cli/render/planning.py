"""Plain lines for planning: the calendar (`schedule`) and the announcements (`announce`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import STATE_WORDS, WEEKDAYS, word, zone
from sprechstunde_cli.render.sanitize import clean

if TYPE_CHECKING:
    from sprechstunde_cli.services.announce import Outcome
    from sprechstunde_cli.services.plan import CalendarRow, FileResult, PreviewRow


def calendar_line(row: CalendarRow) -> str:
    """`schedule`: one date with its state; cancelled ones say why."""
    spec = row.entry.spec
    tz = zone(spec.timezone)
    start, end = spec.start.astimezone(tz), spec.end.astimezone(tz)
    state = word(STATE_WORDS, row.state)
    if row.entry.cancelled:
        why = (
            _("holiday: {holiday}").format(holiday=row.entry.holiday)
            if row.entry.holiday
            else _("skipped")
        )
        state = _("cancelled ({why})").format(why=clean(why, single_line=True))
    elif row.entry.moved:
        state += _(" (moved)")
    return (
        f"{spec.id}  {WEEKDAYS[start.weekday()]} {start:%Y-%m-%d %H:%M}–{end:%H:%M} "
        f"{spec.timezone}  {spec.provider}  {state}"
    )


def file_line(result: FileResult) -> str:
    """A published file: written, unchanged, or why it failed."""
    if result.error:
        return _("failed: {path}: {error}").format(path=result.path, error=result.error)
    return (
        _("wrote {path}").format(path=result.path)
        if result.written
        else _("unchanged: {path}").format(path=result.path)
    )


def preview_lines(row: PreviewRow) -> list[str]:
    """`announce --dry-run`: when, what, where, its state, and the text."""
    item = row.item
    at = item.due_at.astimezone(zone(item.spec.timezone))
    return [
        f"{at:%Y-%m-%d %H:%M}  {item.spec.id}  {item.offset.name} → {item.target}  {row.state}",
        "    " + clean(row.text, single_line=True),
    ]


def outcome_line(o: Outcome) -> str:
    """One announcement's outcome, in words."""
    what = f"{o.session_id} {o.offset} → {o.target}"
    detail = clean(o.detail, single_line=True)
    if o.status in ("sent", "resent"):
        again = o.status == "resent"
        note = _(" (repeated with the same key after an interrupted run)") if again else ""
        return _("sent: {what}{note}").format(what=what, note=note)
    if o.status == "done":
        return _("{what}: {detail}; nothing posted.").format(what=what, detail=detail)
    return f"{o.status}: {what}: {detail}"
