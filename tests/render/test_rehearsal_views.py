"""A rehearsal's copy says so wherever a session is shown: the live view and `sessions`."""

from __future__ import annotations

from datetime import timedelta

from sprechstunde_cli.domain.rehearsal import rehearsal, spec_of
from sprechstunde_cli.render.hour import session_line
from sprechstunde_cli.render.threads import live_view
from sprechstunde_cli.services.sessions import Listed
from tests.render.test_views import NOW, render, session


def test_the_live_view_and_the_session_list_mark_a_rehearsal() -> None:
    copy = session(id="beispiel-probe-20261202-1605", rehearsal_of="beispiel")

    shown = render(live_view(copy, [], now=NOW, status="", height=10))
    real = render(live_view(session(), [], now=NOW, status="", height=10))

    assert "rehearsal of beispiel" in shown and "rehearsal" not in real
    line = session_line(Listed(spec_of(copy), "open", "beispiel"))
    assert line.endswith("open  (rehearsal of beispiel)")
    assert "rehearsal" not in session_line(Listed(spec_of(session()), "open"))


def test_a_rehearsal_copy_keeps_the_planned_length_from_now() -> None:
    planned = spec_of(session())
    copy = rehearsal(planned, planned.start - timedelta(days=2, minutes=7))

    assert copy.id.startswith(f"{planned.id}-probe-")
    assert copy.end - copy.start == planned.end - planned.start
    assert (copy.title, copy.official, copy.provider) == (
        planned.title,
        planned.official,
        planned.provider,
    )
