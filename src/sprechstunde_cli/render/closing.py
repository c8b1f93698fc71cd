"""Plain lines about the end of the hour: what `close` did, the purge's plan and its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    from sprechstunde_cli.domain.receipt import Receipt
    from sprechstunde_cli.services.close import CloseReport
    from sprechstunde_cli.services.purge import PurgePlan


def close_lines(session_id: str, report: CloseReport) -> tuple[list[str], list[str]]:
    """What `close` did: (lines, warnings)."""
    lines = [
        f"Session '{session_id}' was already closed; tried its outstanding hand-offs again."
        if report.already_closed
        else f"Closed session '{session_id}': closing words sent to "
        f"{report.closing_sent} unanswered thread(s)."
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
        f"Purge plan for '{plan.session_id}' (state {plan.state.value}):",
        f"  1. hand-offs still to deliver or export: {plan.handoffs_outstanding}",
        "  2. turn away messages that came after the close",
        f"  3. {plan.provider}: delete {plan.provider_messages} message(s) in "
        f"{plan.chats} chat(s), reach: {plan.reach.value.replace('_', ' ')}; then list again",
        f"  4. here: delete {plan.local_messages} message(s), "
        f"{plan.media_files} media file(s), temp files; truncate the WAL",
        "  5. search the data dir, temp space and log for remains",
        "  6. destroy the session key, write the receipt",
    ]


def purged_lines(receipt: Receipt) -> list[str]:
    """What a finished purge did, per messenger and here."""
    lines = []
    for result in receipt.providers:
        how = (
            "skipped by operator"
            if result.skipped_by_operator
            else f"{result.confirmed} of {result.requested} messages deleted"
        )
        lines.append(
            _("Purged session '{session}' at {provider}: {how} (reach: {replace}).").format(
                session=receipt.session,
                provider=result.provider,
                how=how,
                replace=result.reach.replace("_", " "),
            )
        )
    lines.append(
        _(
            "Local data deleted and verified ({result}); session key destroyed. "
            "Receipt: sprechstunde receipt {session}"
        ).format(result=receipt.verification.result, session=receipt.session)
    )
    return lines
