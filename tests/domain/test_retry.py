"""domain/retry.py: the one backoff, full jitter in [0, min(cap, base * 2**attempt)]."""

from __future__ import annotations

import random

import pytest

from sprechstunde_cli.domain.retry import Backoff

BACKOFF = Backoff(base=1.0, cap=30.0)


@pytest.mark.parametrize("attempt", range(8))
def test_the_lowest_draw_waits_not_at_all(attempt: int) -> None:
    assert BACKOFF.delay(attempt, lambda: 0.0) == 0.0


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 30.0)]
)
def test_the_ceiling_doubles_per_attempt_up_to_the_cap(attempt: int, ceiling: float) -> None:
    assert BACKOFF.delay(attempt, lambda: 0.5) == pytest.approx(ceiling / 2)
    top = BACKOFF.delay(attempt, lambda: 0.999)
    assert top == pytest.approx(ceiling * 0.999)
    assert top < ceiling


@pytest.mark.parametrize("attempt", [5, 6, 10, 50])
def test_the_cap_is_reached_and_never_passed(attempt: int) -> None:
    assert BACKOFF.delay(attempt, lambda: 0.999) == pytest.approx(30.0 * 0.999)
    assert BACKOFF.delay(attempt, lambda: 0.5) == pytest.approx(15.0)


def test_a_huge_attempt_stays_capped() -> None:
    assert Backoff(base=2.0, cap=60.0).delay(1000, lambda: 0.5) == pytest.approx(30.0)


def test_the_default_randomness_stays_within_bounds() -> None:
    random.seed(7)
    for attempt in range(12):
        ceiling = min(30.0, 2.0**attempt)
        for _ in range(50):
            assert 0.0 <= BACKOFF.delay(attempt) <= ceiling


def test_retries_that_start_together_spread_out() -> None:
    draws = iter([0.1, 0.6, 0.9])
    waits = [BACKOFF.delay(3, lambda: next(draws)) for _ in range(3)]
    assert waits == pytest.approx([0.8, 4.8, 7.2])
