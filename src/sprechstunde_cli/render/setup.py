"""`check`: the config summarised in plain lines; its strings are cleaned, not trusted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.model import FINISHED as HELD
from sprechstunde_cli.domain.schedule import HORIZON, Occurrence, occurrences
from sprechstunde_cli.domain.texts import DEFAULT_TEXTS
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import STATE_WORDS, WEEKDAYS, word, zone
from sprechstunde_cli.render.sanitize import clean

FINISHED = frozenset(state.value for state in HELD)

if TYPE_CHECKING:
    from sprechstunde_cli.config import Config
    from sprechstunde_cli.domain.spec import SessionSpec


# How many of each schedule's dates `check` lists.
SCHEDULE_DATES = 3


def check_lines(
    config: Config, path: Path, now: datetime, states: Mapping[str, str] | None = None
) -> list[str]:
    """The plain-text summary `check` prints; config strings are cleaned but not trusted.
    `states`: what this machine's store knows of each session (open, closed, purged …)."""
    known = states or {}

    def show(text: str) -> str:
        return clean(text, single_line=True)

    lines = [_("Config OK: {path}").format(path=path)]
    office = show(config.office) if config.office else _("(office.name not set)")
    lines.append(_("Office: {office} ({timezone})").format(office=office, timezone=config.timezone))
    if config.operator:
        lines.append(_("Operator: {show}").format(show=show(config.operator)))
    if not config.sessions:
        lines.append(_("Sessions: none. Add a [sessions.<id>] table to plan an hour."))
    else:
        lines.append(_("Sessions ({count}):").format(count=len(config.sessions)))
        for spec in config.sessions.values():
            status = _status(spec, now, known)
            lines.append(
                _("  {id}  {span}  provider {provider}  {status}").format(
                    id=spec.id, span=_span(spec), provider=spec.provider, status=status
                )
            )
            lines.append(f"    {show(spec.title)} — {show(spec.official)}")
    lines.extend(_schedule_lines(config, now, known, show))
    if (config.sessions or config.schedules) and not any(
        known.get(s.id) not in FINISHED for s in config.upcoming(now)
    ):
        lines.append(_("Note: every session in this file has ended; add the next one."))
    lines.extend(_mail_lines(config, show))
    templates = ", ".join(show(name) for name in sorted(config.templates)) or _("none")
    lines.append(_("Templates: {templates}").format(templates=templates))
    changed = [
        f.name
        for f in fields(DEFAULT_TEXTS)
        if getattr(config.texts, f.name) != getattr(DEFAULT_TEXTS, f.name)
    ]
    if changed:
        lines.append(
            _("Texts: {count} changed from the German defaults ({allowed})").format(
                count=len(changed), allowed=", ".join(changed)
            )
        )
    else:
        lines.append(_("Texts: the built-in German defaults"))
    return lines


def _mail_lines(config: Config, show: Callable[[str], str]) -> list[str]:
    mail = config.mail
    if mail is None:
        return [_("Mail: not set up; hand-offs are written to an export file at close.")]
    lines = [
        _("Mail: {show}:{port} ({security}), sender {show2}").format(
            show=show(mail.host), port=mail.port, security=mail.security, show2=show(mail.sender)
        )
    ]
    if mail.plaintext_over_network:
        lines.append(
            _(
                "Warning: mail to {show} is not encrypted (allow_plaintext = true): the "
                "password and every citizen's question cross the network readable. Use "
                'security = "starttls" or "tls" unless the network is trusted.'
            ).format(show=show(mail.host))
        )
    return lines


def _span(spec: SessionSpec) -> str:
    tz = zone(spec.timezone)
    start, end = spec.start.astimezone(tz), spec.end.astimezone(tz)
    day = f"{WEEKDAYS[start.weekday()]} {start:%Y-%m-%d %H:%M}"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{day}–{until} {spec.timezone} ({_utc_offset(start)})"


def _utc_offset(moment: datetime) -> str:
    """'UTC+01:00' (strftime's %:z needs Python 3.12)."""
    minutes = int((moment.utcoffset() or timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def _schedule_lines(
    config: Config, now: datetime, known: Mapping[str, str], show: Callable[[str], str]
) -> list[str]:
    """Each schedule's rule and its next dates, with what each date is now."""
    if not config.schedules:
        return []
    lines = [_("Schedules ({count}):").format(count=len(config.schedules))]
    for schedule in config.schedules.values():
        lines.append(
            _("  {id}  {rule}  provider {provider}").format(
                id=schedule.id, rule=schedule.rrule, provider=schedule.provider
            )
        )
        lines.append(f"    {show(schedule.title)} — {show(schedule.official)}")
        dates = [
            o
            for o in occurrences(schedule, now, now + HORIZON)
            if o.cancelled or known.get(o.spec.id) not in FINISHED
        ][:SCHEDULE_DATES]
        for found in dates:
            lines.append(
                f"    {found.spec.id}  {_span(found.spec)}  {_date_status(found, now, known)}"
            )
        if not dates:
            lines.append(_("    no more dates: extend `until` or `count`, or add a new schedule."))
    return lines


def _date_status(found: Occurrence, now: datetime, known: Mapping[str, str]) -> str:
    if found.cancelled:
        if found.holiday:
            return _("cancelled (public holiday: {holiday})").format(holiday=found.holiday)
        return _("cancelled")
    status = _status(found.spec, now, known)
    return _("{status}, moved").format(status=status) if found.moved else status


def _status(spec: SessionSpec, now: datetime, known: Mapping[str, str]) -> str:
    state = known.get(spec.id)
    if state is not None and state not in ("planned", "announced"):
        return word(STATE_WORDS, state)  # open, closing, closed, purged: what really happened
    if spec.end <= now:
        return _("ended")
    if spec.start <= now:
        return _("running now")
    return _("upcoming")
