"""The deletion receipt (Löschprotokoll) and the session's figures, as plain lines."""

from __future__ import annotations

from rich.console import Group

from sprechstunde_cli.domain.receipt import Receipt, Statistics
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.console import citizen_text
from sprechstunde_cli.render.formats import REACH_WORDS, RECEIPT_WORDS, STATE_WORDS, word


def receipt_view(receipt: Receipt) -> Group:
    """The receipt as plain lines; it holds no personal data, but stays literal."""
    verification = receipt.verification
    counts = sorted(receipt.counts.items())
    lines = [
        _("Löschprotokoll / deletion receipt — session {session}").format(session=receipt.session),
        f"  {receipt.title} ({receipt.tool})",
        _("  planned: {planned_start} – {planned_end}").format(
            planned_start=receipt.planned_start, planned_end=receipt.planned_end
        ),
        _("  opened:  {opened}   closed: {closed}").format(
            opened=receipt.opened, closed=receipt.closed
        ),
        _("  purge:   {purge_started} – {purge_ended}").format(
            purge_started=receipt.purge_started, purge_ended=receipt.purge_ended
        ),
        _("  counts:  ") + ", ".join(f"{word(RECEIPT_WORDS, k)} {v}" for k, v in counts),
    ]
    for result in receipt.providers:
        state = (
            _("skipped by operator")
            if result.skipped_by_operator
            else (
                _(
                    "{confirmed} of {requested} deleted, {remaining} remaining, "
                    "{chats_removed} chat(s) removed"
                ).format(
                    confirmed=result.confirmed,
                    requested=result.requested,
                    remaining=result.remaining,
                    chats_removed=result.chats_removed,
                )
            )
        )
        lines.append(
            _("  messenger {provider} (reach: {words}): {state}").format(
                provider=result.provider, words=word(REACH_WORDS, result.reach), state=state
            )
        )
        lines.extend(_("    failed: {reason}").format(reason=reason) for reason in result.failed)
    for entry in receipt.stores:
        details = ", ".join(
            f"{word(RECEIPT_WORDS, k)} {word(RECEIPT_WORDS, str(v))}"
            for k, v in sorted(entry.details.items())
        )
        store = word(RECEIPT_WORDS, entry.store)
        ok = _("ok") if entry.ok else _("FAILED")
        lines.append(f"  {store}: {ok}" + (f" ({details})" if details else ""))
    lines.append(
        _(
            "  verification: {result} — searched for {searched_for} forms in "
            "{files_scanned} files ({short_texts_not_searched} short texts not "
            "searched)"
        ).format(
            result=word(RECEIPT_WORDS, verification.result),
            searched_for=verification.searched_for,
            files_scanned=verification.files_scanned,
            short_texts_not_searched=verification.short_texts_not_searched,
        )
    )
    lines.extend(
        _("  kept elsewhere: {text}").format(text=text) for text in receipt.residual_retention
    )
    lines.extend(
        _("  hand-off export (take it to the departments): {path}").format(path=path)
        for path in receipt.handoff_exports
    )
    return Group(*(citizen_text(line) for line in lines))


def stats_lines(figures: Statistics) -> list[str]:
    """`stats`: the figures for the next press release."""
    wait = figures.median_wait_seconds
    return [
        _("Session {session} ({value})").format(
            session=figures.session, value=word(STATE_WORDS, figures.state)
        ),
        _("  threads:              {threads}").format(threads=figures.threads),
        _("  answered live:        {answered_live}").format(answered_live=figures.answered_live),
        _("  handed to departments:{handed_off:>3}").format(handed_off=figures.handed_off),
        _("  late messages:        {late_messages}").format(late_messages=figures.late_messages),
        _("  calls refused:        {calls_refused}").format(calls_refused=figures.calls_refused),
        _("  photos / voice notes: {photos} / {voice_notes}").format(
            photos=figures.photos, voice_notes=figures.voice_notes
        ),
        _("  median wait:          ")
        + ("—" if wait is None else _("{value:.1f} min").format(value=wait / 60)),
    ]
