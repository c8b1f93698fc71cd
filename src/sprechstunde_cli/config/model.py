"""The validated config: one frozen value every command reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.config.announce.model import AnnounceSettings
from sprechstunde_cli.config.handoff import HandoffSettings
from sprechstunde_cli.config.hour import HourSettings
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.domain.texts import DEFAULT_TEXTS, Texts
from sprechstunde_cli.errors import ConfigError, unknown_session
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.registry import entry_for

# Every command loads the config; only one that reads [mail] or [schedules] needs these.
if TYPE_CHECKING:
    from sprechstunde_cli.config.mail import MailSettings
    from sprechstunde_cli.domain.schedule import Schedule


@dataclass(frozen=True)
class Config:
    """The whole config file, checked: the office, its sessions and every section's settings."""

    office: str
    operator: str
    timezone: str
    sessions: Mapping[str, SessionSpec]
    texts: Texts = DEFAULT_TEXTS
    templates: Mapping[str, str] = field(default_factory=dict)
    hour: HourSettings = field(default_factory=HourSettings)
    # Each [providers.<name>] section, parsed and checked by that provider's settings reader.
    providers: Mapping[str, object] = field(default_factory=dict)
    path: Path | None = None
    mail: MailSettings | None = None  # None: hand-offs go to an export file instead
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    schedules: Mapping[str, Schedule] = field(default_factory=dict)
    announce: AnnounceSettings = field(default_factory=AnnounceSettings)

    def provider_settings(self, name: str) -> object:
        """The provider's parsed section; its defaults when the config has none."""
        if name in self.providers:
            return self.providers[name]
        return entry_for(name).parse_settings({})

    def session(self, session_id: str) -> SessionSpec:
        if session_id in self.sessions:
            return self.sessions[session_id]
        # A schedule's date: "<schedule>-2026-12-16", found without expanding the whole rule.
        from sprechstunde_cli.domain.schedule import find

        found = find(self.schedules, session_id)
        if found is not None and not found.cancelled:
            return found.spec
        if found is not None:
            why = (
                _("public holiday: {holiday}").format(holiday=found.holiday)
                if found.holiday
                else _("listed in skip")
            )
            raise ConfigError(
                _("Session '{session_id}' is cancelled ({why}).").format(
                    session_id=session_id, why=why
                ),
                _("To hold it after all, move it: [schedules.{schedule}.move].").format(
                    schedule=found.schedule
                ),
            )
        known = [*self.sessions, *(f"{s}-YYYY-MM-DD" for s in self.schedules)]
        raise unknown_session(session_id, known, _("in the config"))

    def upcoming(self, now: datetime) -> list[SessionSpec]:
        """Sessions that have not ended yet, soonest first (schedules up to a horizon)."""
        from sprechstunde_cli.domain.schedule import planned

        specs = [*self.sessions.values(), *planned(self.schedules, now)]
        return sorted((s for s in specs if s.end > now), key=lambda s: s.start)

    def next_session_after(self, moment: datetime, exclude: str = "") -> SessionSpec | None:
        later = [s for s in self.upcoming(moment) if s.start > moment and s.id != exclude]
        return later[0] if later else None
