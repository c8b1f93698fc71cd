"""Plain lines about the running hour: what one step did, the session list, the rehearsal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import STATE_WORDS, word

if TYPE_CHECKING:
    from rich.text import Text

    from sprechstunde_cli.errors import StoreError
    from sprechstunde_cli.services.hour import StepReport
    from sprechstunde_cli.services.sessions import Listed
    from sprechstunde_cli.services.standby import StandbyReport


def step_notes(report: StepReport) -> list[str]:
    """What happened in one step, in words for the operator (content-free)."""
    intake = report.intake
    notes = [
        _("New thread {number} (greeted).").format(number=number) for number in intake.new_threads
    ]
    if intake.stored:
        notes.append(_("{stored} new message(s).").format(stored=intake.stored))
    if intake.calls_refused:
        notes.append(
            _("{calls_refused} call(s) refused with the text.").format(
                calls_refused=intake.calls_refused
            )
        )
    if intake.late:
        notes.append(
            _("{late} message(s) outside the hour: away reply, not kept.").format(late=intake.late)
        )
    notes += _change_notes(report)
    if report.last_call_sent:
        notes.append(
            _("Last call sent to {last_call_sent} waiting thread(s).").format(
                last_call_sent=report.last_call_sent
            )
        )
    return notes


def _change_notes(report: StepReport) -> list[str]:
    """What citizens did to what they had sent (content-free)."""
    changed = report.intake.changes
    notes = []
    if changed.withdrawn:
        notes.append(
            _("{withdrawn} message(s) withdrawn by the citizen: deleted here too.").format(
                withdrawn=changed.withdrawn
            )
        )
    if changed.edited:
        notes.append(
            _("{edited} message(s) edited by the citizen: the new text is shown.").format(
                edited=changed.edited
            )
        )
    notes += [
        _("The citizen of thread {n} left the chat: answers cannot reach them.").format(n=n)
        for n in changed.left
    ]
    return notes


def standby_notes(report: StandbyReport) -> list[str]:
    """What one `standby` step did, content-free."""
    notes = []
    if report.handed_to:
        notes.append(
            _("Session '{handed_to}' has the messenger; standby waits.").format(
                handed_to=report.handed_to
            )
        )
    if report.waiting_for is not None:
        notes.append(_("{who} receives; standby waits.").format(who=report.waiting_for.describe()))
    if report.taken:
        notes.append(
            _(
                "{taken} message(s) between hours: {answered} away text(s) sent, {deleted} "
                "deleted, nothing kept."
            ).format(taken=report.taken, answered=report.answered, deleted=report.deleted)
        )
    return notes


# Said once saving works again after a full disk or a read-only store; for office staff.
ROOM_AGAIN = _("Saving works again: the waiting messages are being saved now.")


def store_line(problem: StoreError) -> str:
    """`open --plain` while the store takes no writes (full disk, read-only): what, the fix,
    and that nothing needs restarting. One line; the console cleans it (it quotes a path)."""
    return f"{problem.message} {store_fix(problem)}"


def store_fix(problem: StoreError) -> str:
    """The live view's status line while the store takes no writes (the problem is above):
    the fix without "run the command again", since `open` goes on by itself."""
    return _("{fix} `open` keeps trying by itself: there is no need to restart it.").format(
        fix=problem.fix
    )


def session_line(item: Listed) -> str:
    """`sessions`: id, time, zone, messenger, state."""
    spec = item.spec
    probe = _("  (rehearsal of {id})").format(id=item.rehearsal_of) if item.rehearsal_of else ""
    return (
        f"{spec.id}  {spec.start:%Y-%m-%d %H:%M}–{spec.end:%H:%M} {spec.timezone}"
        f"  {spec.provider}  {word(STATE_WORDS, item.state)}{probe}"
    )


def citizen_acted_line(handle: str, action: str, text: str) -> Text:
    """`demo`: what a scripted citizen does."""
    from sprechstunde_cli.render.console import citizen_text

    what = {
        "call": _("calls"),
        "image": _("sends a photo"),
        "voice": _("sends a voice note"),
        "edit": _("edits their last message"),
        "withdraw": _("deletes their last message for everyone"),
    }
    said = f": {text}" if text else ""
    return citizen_text(
        _("citizen {handle} {action}{said}").format(
            handle=handle, action=what.get(action, _("writes")), said=said
        ),
        single_line=True,
        limit=100,
    )


def office_replied_line(thread: int, text: str) -> Text:
    """`demo`: what the scripted office answers."""
    from sprechstunde_cli.render.console import citizen_text

    return citizen_text(
        _("office → thread {thread}: {text}").format(thread=thread, text=text),
        single_line=True,
        limit=100,
    )


def rehearsal_step_lines(report: StepReport) -> list[str]:
    """`demo`: what one step of the rehearsal's hour did."""
    intake = report.intake
    lines = [_("  thread {n} opened, greeting queued").format(n=n) for n in intake.new_threads]
    if intake.calls_refused:
        lines.append(_("  call refused, refusal text queued"))
    if intake.late:
        lines.append(_("  message after the end: away reply, nothing kept"))
    lines += [f"  {note}" for note in _change_notes(report)]
    if report.last_call_sent:
        lines.append(
            _("  last call to {last_call_sent} waiting thread(s)").format(
                last_call_sent=report.last_call_sent
            )
        )
    return lines
