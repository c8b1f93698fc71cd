"""Plain lines about the running hour: what one step did, the session list, the rehearsal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from sprechstunde_cli.services.demo import Event, Stepped
    from sprechstunde_cli.services.hour import StepReport
    from sprechstunde_cli.services.sessions import Listed


def step_notes(report: StepReport) -> list[str]:
    """What happened in one step, in words for the operator (content-free)."""
    intake = report.intake
    notes = [f"New thread {number} (greeted)." for number in intake.new_threads]
    if intake.stored:
        notes.append(f"{intake.stored} new message(s).")
    if intake.calls_refused:
        notes.append(f"{intake.calls_refused} call(s) refused with the text.")
    if intake.late:
        notes.append(f"{intake.late} message(s) outside the hour: away reply, not kept.")
    if report.last_call_sent:
        notes.append(f"Last call sent to {report.last_call_sent} waiting thread(s).")
    return notes


def session_line(item: Listed) -> str:
    """`sessions`: id, time, zone, messenger, state."""
    spec = item.spec
    return (
        f"{spec.id}  {spec.start:%Y-%m-%d %H:%M}–{spec.end:%H:%M} {spec.timezone}"
        f"  {spec.provider}  {item.state}"
    )


def rehearsal_lines(event: Event) -> list[Text]:
    """Narration of one rehearsal event, for `demo` without a live view."""
    from sprechstunde_cli.render.console import citizen_text
    from sprechstunde_cli.services.demo import CitizenActed, Phase, Replied

    if isinstance(event, Phase):
        return [citizen_text(event.text)]
    if isinstance(event, CitizenActed):
        cue = event.cue
        what = {"call": "calls", "image": "sends a photo", "voice": "sends a voice note"}
        said = f": {cue.text}" if cue.text else ""
        line = f"citizen {cue.handle} {what.get(cue.action, 'writes')}{said}"
        return [citizen_text(line, single_line=True, limit=100)]
    if isinstance(event, Replied):
        line = f"office → thread {event.thread}: {event.cue.text}"
        return [citizen_text(line, single_line=True, limit=100)]
    return [citizen_text(line) for line in _step_lines(event)]


def _step_lines(event: Stepped) -> list[str]:
    intake = event.report.intake
    lines = [f"  thread {n} opened, greeting queued" for n in intake.new_threads]
    if intake.calls_refused:
        lines.append("  call refused, refusal text queued")
    if intake.late:
        lines.append("  message after the end: away reply, nothing kept")
    if event.report.last_call_sent:
        lines.append(f"  last call to {event.report.last_call_sent} waiting thread(s)")
    return lines
