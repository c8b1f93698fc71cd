"""`followup --list`: the session's hand-offs as an aligned table, addresses masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.sanitize import clean

if TYPE_CHECKING:
    from sprechstunde_cli.domain.handoffs import Handoff


def handoff_lines(found: Sequence[tuple[Handoff, str]]) -> list[str]:
    """One line per (hand-off, masked address) under a header."""
    department = _("Department")
    width = max(len(department), *(len(h.department) for h, _unused in found))
    lines = [f"{_('Thread'):>6}  {department:<{width}}  {_('Address'):<28}  {_('State')}"]
    for h, masked in found:
        line = f"{h.thread:>6}  {h.department:<{width}}  {masked:<28}  {h.state}"
        if h.error:
            line += f" ({h.error})"
        lines.append(clean(line, single_line=True))
    return lines
