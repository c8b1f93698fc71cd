"""Plain lines about the end of the hour: what `close` did, the purge's plan and its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.domain.receipt import SENT_WITHOUT_ID
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import REACH_WORDS, STATE_WORDS, VERIFICATION_WORDS, word

if TYPE_CHECKING:
    from sprechstunde_cli.domain.receipt import Receipt
    from sprechstunde_cli.services.close import CloseReport
    from sprechstunde_cli.services.purge import PurgePlan
    from sprechstunde_cli.services.purge.closing import Waiting


def close_lines(session_id: str, report: CloseReport) -> tuple[list[str], list[str]]:
    """What `close` did: (lines, warnings)."""
    lines = [
        _(
            "Session '{session_id}' was already closed; tried its outstanding hand-offs again."
        ).format(session_id=session_id)
        if report.already_closed
        else _(
            "Closed session '{session_id}': closing words sent to {closing_sent} waiting thread(s)."
        ).format(session_id=session_id, closing_sent=report.closing_sent)
    ]
    if report.handoffs_delivered:
        lines.append(
            _("{handoffs_delivered} hand-off(s) sent by e-mail.").format(
                handoffs_delivered=report.handoffs_delivered
            )
        )
    if report.export_file:
        lines.append(
            _(
                "{handoffs_exported} hand-off(s) written to {export_file} — take this "
                "file to the departments."
            ).format(handoffs_exported=report.handoffs_exported, export_file=report.export_file)
        )
    warnings = []
    if report.handoffs_failed:
        warnings.append(
            _(
                "{handoffs_failed} hand-off(s) not delivered yet; the purge waits for "
                "them. Run close again to retry, or write them to a file for the "
                "departments: sprechstunde close {session_id} --export-handoffs"
            ).format(handoffs_failed=report.handoffs_failed, session_id=session_id)
        )
    if report.undelivered:
        warnings.append(
            _("{undelivered} message(s) could not be delivered.").format(
                undelivered=report.undelivered
            )
        )
    return lines, [*warnings, *report.problems]


def purge_plan_lines(plan: PurgePlan) -> list[str]:
    """`purge --dry-run`: the six steps, with what each would touch."""
    return [
        _("Purge plan for '{session_id}' (state {value}):").format(
            session_id=plan.session_id, value=word(STATE_WORDS, plan.state)
        ),
        _("  1. hand-offs still to deliver or export: {handoffs_outstanding}").format(
            handoffs_outstanding=plan.handoffs_outstanding
        ),
        _("  2. turn away messages that came after the close"),
        _(
            "  3. {provider}: delete {provider_messages} message(s) in {chats} "
            "chat(s), reach: {reach}; then list again"
        ).format(
            provider=plan.provider,
            provider_messages=plan.provider_messages,
            chats=plan.chats,
            reach=word(REACH_WORDS, plan.reach),
        ),
        _(
            "  4. here: delete {local_messages} message(s), {media_files} media "
            "file(s), temp files; truncate the WAL"
        ).format(local_messages=plan.local_messages, media_files=plan.media_files),
        _("  5. search the data dir, temp space and log for remains"),
        _("  6. destroy the session key, write the receipt"),
    ]


def purged_lines(receipt: Receipt) -> list[str]:
    """What a finished purge did, per messenger and here."""
    lines = []
    for result in receipt.providers:
        how = (
            _("skipped by operator")
            if result.skipped_by_operator
            else _("{confirmed} of {requested} messages deleted").format(
                confirmed=result.confirmed, requested=result.requested
            )
        )
        lines.append(
            _("Purged session '{session}' at {provider}: {how} (reach: {reach}).").format(
                session=receipt.session,
                provider=result.provider,
                how=how,
                reach=word(REACH_WORDS, result.reach),
            )
        )
    unverified = receipt.counts.get(SENT_WITHOUT_ID, 0)
    if unverified:
        lines.append(unverified_line(unverified))
    lines.append(
        _(
            "Local data deleted and verified ({result}); session key destroyed. "
            "Receipt: sprechstunde receipt {session}"
        ).format(
            result=word(VERIFICATION_WORDS, receipt.verification.result), session=receipt.session
        )
    )
    return lines


def waiting_line(session_id: str, waiting: Waiting) -> str:
    """What the purge waits for before it removes the closing words from the citizens' side."""
    minutes = max(1, round(waiting.seconds_left / 60))
    resume = _("Ctrl-C stops; `sprechstunde purge {session_id}` goes on later.").format(
        session_id=session_id
    )
    if waiting.receipts:
        return _(
            "Waiting for {unconfirmed} of {total} citizens' apps to show the closing words (read "
            "receipt) before deleting; at most {minutes} min more. {resume}"
        ).format(
            unconfirmed=waiting.unconfirmed, total=waiting.total, minutes=minutes, resume=resume
        )
    return _(
        "Waiting {minutes} min more before deleting, so that {total} citizens' apps can receive "
        "the closing words (this messenger reports no read receipts). {resume}"
    ).format(minutes=minutes, total=waiting.total, resume=resume)


def unverified_line(count: int) -> str:
    """Office messages the messenger took without naming their id: nothing claims them deleted."""
    return _(
        "{count} message(s) from the office were accepted by the messenger without an id: their "
        "deletion there could not be verified (they may still be on the citizens' phones)."
    ).format(count=count)
