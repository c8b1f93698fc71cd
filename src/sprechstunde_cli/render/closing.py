"""Plain lines about the end of the hour: what `close` did, the purge's plan and its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sprechstunde_cli.domain.receipt import Receipt
    from sprechstunde_cli.services.close import CloseReport
    from sprechstunde_cli.services.purge import PurgePlan
    from sprechstunde_cli.services.purge.closing import Waiting


def close_lines(session_id: str, report: CloseReport) -> tuple[list[str], list[str]]:
    """What `close` did: (lines, warnings)."""
    lines = [
        f"Session '{session_id}' was already closed; tried its outstanding hand-offs again."
        if report.already_closed
        else f"Closed session '{session_id}': closing words sent to "
        f"{report.closing_sent} waiting thread(s)."
    ]
    if report.handoffs_delivered:
        lines.append(f"{report.handoffs_delivered} hand-off(s) sent by e-mail.")
    if report.export_file:
        lines.append(
            f"{report.handoffs_exported} hand-off(s) written to "
            f"{report.export_file} — take this file to the departments."
        )
    warnings = []
    if report.handoffs_failed:
        warnings.append(
            f"{report.handoffs_failed} hand-off(s) not delivered yet; the purge waits for them. "
            "Run close again to retry, or write them to a file for the departments: "
            f"sprechstunde close {session_id} --export-handoffs"
        )
    if report.undelivered:
        warnings.append(f"{report.undelivered} message(s) could not be delivered.")
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
            f"Purged session '{receipt.session}' at {result.provider}: {how} "
            f"(reach: {result.reach.replace('_', ' ')})."
        )
    unverified = receipt.counts.get("sent_without_id", 0)
    if unverified:
        lines.append(unverified_line(unverified))
    lines.append(
        f"Local data deleted and verified ({receipt.verification.result}); "
        f"session key destroyed. Receipt: sprechstunde receipt {receipt.session}"
    )
    return lines


def waiting_line(session_id: str, waiting: Waiting) -> str:
    """What the purge waits for before it removes the closing words from the citizens' side."""
    minutes = max(1, round(waiting.seconds_left / 60))
    resume = f"Ctrl-C stops; `sprechstunde purge {session_id}` goes on later."
    if waiting.receipts:
        return (
            f"Waiting for {waiting.unconfirmed} of {waiting.total} citizens' apps to show the "
            f"closing words (read receipt) before deleting; at most {minutes} min more. {resume}"
        )
    return (
        f"Waiting {minutes} min more before deleting, so that {waiting.total} citizens' apps can "
        f"receive the closing words (this messenger reports no read receipts). {resume}"
    )


def unverified_line(count: int) -> str:
    """Office messages the messenger took without naming their id: nothing claims them deleted."""
    return (
        f"{count} message(s) from the office were accepted by the messenger without an id: "
        "their deletion there could not be verified (they may still be on the citizens' phones)."
    )
