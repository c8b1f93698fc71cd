"""Rehearsals run on a copy of a planned session, so they never use up the real hour.

`open --now` on a planned session that is not due opens `<id>-probe-<date>-<time>` instead:
same title, official and messenger, starting now and as long as the planned one. The copy
lives only in the store (marked `rehearsal_of`); it is never announced, never in the calendar,
and never named as the next session, since those come from the config.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.domain.spec import SessionSpec

PROBE = "-probe-"


def rehearsal(spec: SessionSpec, now: datetime) -> SessionSpec:
    local = now.astimezone(ZoneInfo(spec.timezone)).replace(second=0, microsecond=0)
    return dataclasses.replace(
        spec,
        id=f"{spec.id}{PROBE}{local:%Y%m%d-%H%M}",
        start=local,
        end=local + spec.duration,
    )


def spec_of(record: SessionRecord) -> SessionSpec:
    """A session the store knows but the config does not (a rehearsal), as a spec."""
    zone = ZoneInfo(record.timezone)
    return SessionSpec(
        id=record.id,
        title=record.title,
        official=record.official,
        start=record.planned_start.astimezone(zone),
        end=record.planned_end.astimezone(zone),
        timezone=record.timezone,
        provider=record.provider,
    )
