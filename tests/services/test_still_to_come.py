"""A session held already (closed before its planned end) is named nowhere as still to come:
not in the website snippet, not by doctor, not in open's hint, not as the next session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprechstunde_cli.errors import NotFoundError
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import plan
from sprechstunde_cli.services.sessions import messenger_to_check, session_to_open, still_to_come
from tests.support.service_rig import Rig


def test_a_session_closed_early_is_no_longer_to_come(rig: Rig) -> None:
    rig.open()
    rig.clock.advance(minutes=15)
    closing.close(rig.store, rig.provider, rig.config, "mittwoch", rig.clock, actor="t")
    now = rig.clock.now()  # 16:20: the planned hour runs until 17:00

    assert [s.id for s in rig.config.upcoming(now)][:1] == ["mittwoch"]  # the config alone
    assert [s.id for s in still_to_come(rig.store, rig.config, now)] == ["naechste"]
    snippet = plan.snippet_text(rig.store, rig.config, now, 3)
    assert "16.12.2026" in snippet and "02.12.2026" not in snippet
    assert messenger_to_check(rig.store, rig.config, now)[1] == "next session 'naechste'"
    assert [r.entry.spec.id for r in plan.upcoming_rows(rig.store, rig.config, now, 5)] == [
        "naechste"
    ]
    with pytest.raises(NotFoundError) as info:
        session_to_open(rig.store, rig.config, None, now + timedelta(minutes=1), False)
    assert "'naechste'" in info.value.message
