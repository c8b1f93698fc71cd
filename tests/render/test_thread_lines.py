"""The thread table's lines: a waiting time's words, shared by the rows of one table, are the
words formatted anew for each row, and never outlive their table."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from sprechstunde_cli.domain.rows import ThreadRow
from sprechstunde_cli.i18n import _
from sprechstunde_cli.render.formats import hhmm, span_text
from sprechstunde_cli.render.thread_lines import WaitingWords, row_cells, threads_lines

NOW = datetime(2026, 12, 2, 16, 0, 30, 500_000, tzinfo=UTC)
# UTC, Berlin (a change of offset on 25 October 2026), a quarter-hour offset, a half-hour one,
# and Monrovia until 1972 (-0:44:30: a local minute that starts at 30 seconds past a UTC one).
ZONES = ("UTC", "Europe/Berlin", "Asia/Kathmandu", "America/St_Johns", "Africa/Monrovia")


def _row(number: int, since: datetime | None) -> ThreadRow:
    return ThreadRow(
        number=number, citizen="+49 000 •••• 42", first_at=NOW - timedelta(hours=2),
        waiting_since=since, unread=1, claimed_by=None, last_kind=None, last_direction=None,
        last_line="Frage", answered=False,
    )  # fmt: skip


def _fresh(since: datetime, now: datetime, tz: tzinfo) -> str:
    return _("{span} since {hhmm}").format(span=span_text(now - since), hhmm=hhmm(since, tz))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("now", [NOW, datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)])
def test_shared_words_are_the_words_formatted_anew(zone: str, now: datetime) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    words: WaitingWords = {}
    # Many rows a few seconds apart (most share a minute with another), across an offset change
    # and the seconds at which a minute turns, each checked against the words made for it alone.
    for number in range(1, 3000):
        since = now - timedelta(seconds=rng.choice([rng.randint(0, 90_000), number * 7]),
                                microseconds=rng.randint(0, 999_999))  # fmt: skip
        shared = row_cells(_row(number, since), now, tz, words)[2]
        assert shared == [(_fresh(since, now, tz), "")], (zone, since)
    assert 0 < len(words) < 3000  # it was shared


def test_the_words_of_one_table_are_not_those_of_the_next() -> None:
    # The same rows asked again later wait longer: a second table formats its own words.
    since = NOW - timedelta(minutes=3)
    rows = [_row(1, since), _row(2, since), _row(3, None)]
    later_now = NOW + timedelta(minutes=62)
    first = threads_lines(rows, now=NOW, tz=UTC, width=100)
    later = threads_lines(rows, now=later_now, tz=UTC, width=100)
    assert all(_fresh(since, NOW, UTC) in line for line in first[2:4])
    assert all(_fresh(since, later_now, UTC) in line for line in later[2:4])
    assert _fresh(since, NOW, UTC) not in "".join(later)
