"""The deletion receipt (Löschprotokoll) and the session's figures, as plain lines."""

from __future__ import annotations

from rich.console import Group

from sprechstunde_cli.domain.receipt import Receipt, Statistics
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.console import citizen_text


def receipt_view(receipt: Receipt) -> Group:
    """The receipt as plain lines; it holds no personal data, but stays literal."""
    verification = receipt.verification
    counts = sorted(receipt.counts.items())
    lines = [
        f"Löschprotokoll / deletion receipt — session {receipt.session}",
        f"  {receipt.title} ({receipt.tool})",
        f"  planned: {receipt.planned_start} – {receipt.planned_end}",
        f"  opened:  {receipt.opened}   closed: {receipt.closed}",
        f"  purge:   {receipt.purge_started} – {receipt.purge_ended}",
        "  counts:  " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts),
    ]
    for result in receipt.providers:
        state = (
            "skipped by operator"
            if result.skipped_by_operator
            else (
                f"{result.confirmed} of {result.requested} deleted, "
                f"{result.remaining} remaining, {result.chats_removed} chat(s) removed"
            )
        )
        lines.append(
            _("  messenger {provider} (reach: {words}): {state}").format(
                provider=result.provider, words=_words(result.reach), state=state
            )
        )
        lines.extend(f"    failed: {reason}" for reason in result.failed)
    for entry in receipt.stores:
        details = ", ".join(f"{k} {v}" for k, v in sorted(entry.details.items()))
        lines.append(
            f"  {entry.store}: {'ok' if entry.ok else 'FAILED'}"
            + (f" ({details})" if details else "")
        )
    lines.append(
        _(
            "  verification: {result} — searched for {searched_for} forms in "
            "{files_scanned} files ({short_texts_not_searched} short texts not "
            "searched)"
        ).format(
            result=verification.result,
            searched_for=verification.searched_for,
            files_scanned=verification.files_scanned,
            short_texts_not_searched=verification.short_texts_not_searched,
        )
    )
    lines.extend(f"  kept elsewhere: {text}" for text in receipt.residual_retention)
    lines.extend(
        f"  hand-off export (take it to the departments): {path}"
        for path in receipt.handoff_exports
    )
    return Group(*(citizen_text(line) for line in lines))


def stats_lines(figures: Statistics) -> list[str]:
    """`stats`: the figures for the next press release."""
    wait = figures.median_wait_seconds
    return [
        f"Session {figures.session} ({figures.state.value})",
        f"  threads:              {figures.threads}",
        f"  answered live:        {figures.answered_live}",
        f"  handed to departments:{figures.handed_off:>3}",
        f"  late messages:        {figures.late_messages}",
        f"  calls refused:        {figures.calls_refused}",
        f"  photos / voice notes: {figures.photos} / {figures.voice_notes}",
        "  median wait:          " + ("—" if wait is None else f"{wait / 60:.1f} min"),
    ]


def _words(value: str) -> str:
    return value.replace("_", " ")
