"""Plain lines about the running hour: what one step did, the session list, the rehearsal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from sprechstunde_cli.errors import StoreError
    from sprechstunde_cli.services.hour import StepReport
    from sprechstunde_cli.services.sessions import Listed
    from sprechstunde_cli.services.standby import StandbyReport


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
    notes += _change_notes(report)
    if report.last_call_sent:
        notes.append(f"Last call sent to {report.last_call_sent} waiting thread(s).")
    return notes


def _change_notes(report: StepReport) -> list[str]:
    """What citizens did to what they had sent (content-free)."""
    changed = report.intake.changes
    notes = []
    if changed.withdrawn:
        notes.append(f"{changed.withdrawn} message(s) withdrawn by the citizen: deleted here too.")
    if changed.edited:
        notes.append(f"{changed.edited} message(s) edited by the citizen: the new text is shown.")
    notes += [
        f"The citizen of thread {n} left the chat: answers cannot reach them." for n in changed.left
    ]
    return notes


def standby_notes(report: StandbyReport) -> list[str]:
    """What one `standby` step did, content-free."""
    notes = []
    if report.handed_to:
        notes.append(f"Session '{report.handed_to}' has the messenger; standby waits.")
    if report.waiting_for is not None:
        notes.append(f"{report.waiting_for.describe()} receives; standby waits.")
    if report.taken:
        notes.append(
            f"{report.taken} message(s) between hours: {report.answered} away text(s) sent, "
            f"{report.deleted} deleted, nothing kept."
        )
    return notes


# Said once saving works again after a full disk or a read-only store; for office staff.
ROOM_AGAIN = "Saving works again: the waiting messages are being saved now."


def store_line(problem: StoreError) -> str:
    """`open --plain` while the store takes no writes (full disk, read-only): what, the fix,
    and that nothing needs restarting. One line; the console cleans it (it quotes a path)."""
    return f"{problem.message} {store_fix(problem)}"


def store_fix(problem: StoreError) -> str:
    """The live view's status line while the store takes no writes (the problem is above):
    the fix without "run the command again", since `open` goes on by itself."""
    return f"{problem.fix} `open` keeps trying by itself: there is no need to restart it."


def session_line(item: Listed) -> str:
    """`sessions`: id, time, zone, messenger, state."""
    spec = item.spec
    probe = f"  (rehearsal of {item.rehearsal_of})" if item.rehearsal_of else ""
    return (
        f"{spec.id}  {spec.start:%Y-%m-%d %H:%M}–{spec.end:%H:%M} {spec.timezone}"
        f"  {spec.provider}  {item.state}{probe}"
    )


def citizen_acted_line(handle: str, action: str, text: str) -> Text:
    """`demo`: what a scripted citizen does."""
    from sprechstunde_cli.render.console import citizen_text

    what = {
        "call": "calls",
        "image": "sends a photo",
        "voice": "sends a voice note",
        "edit": "edits their last message",
        "withdraw": "deletes their last message for everyone",
    }
    said = f": {text}" if text else ""
    return citizen_text(
        f"citizen {handle} {what.get(action, 'writes')}{said}", single_line=True, limit=100
    )


def office_replied_line(thread: int, text: str) -> Text:
    """`demo`: what the scripted office answers."""
    from sprechstunde_cli.render.console import citizen_text

    return citizen_text(f"office → thread {thread}: {text}", single_line=True, limit=100)


def rehearsal_step_lines(report: StepReport) -> list[str]:
    """`demo`: what one step of the rehearsal's hour did."""
    intake = report.intake
    lines = [f"  thread {n} opened, greeting queued" for n in intake.new_threads]
    if intake.calls_refused:
        lines.append("  call refused, refusal text queued")
    if intake.late:
        lines.append("  message after the end: away reply, nothing kept")
    lines += [f"  {note}" for note in _change_notes(report)]
    if report.last_call_sent:
        lines.append(f"  last call to {report.last_call_sent} waiting thread(s)")
    return lines
