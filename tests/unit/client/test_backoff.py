"""Backoff: jittered delays between the base and a ceiling that doubles up to the cap."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from desktopchat.client import backoff
from desktopchat.client.backoff import BACKOFF_BASE, BACKOFF_CAP, Backoff


@pytest.fixture
def ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jitter always picks the top of its range, so each delay *is* the current ceiling."""
    monkeypatch.setattr(backoff.random, "uniform", max)


def test_defaults_are_about_a_second_capped_near_thirty() -> None:
    assert BACKOFF_BASE == 1.0
    assert BACKOFF_CAP == 30.0
    delays = [Backoff().next_delay() for _ in range(200)]
    assert all(1.0 <= d <= 2.0 for d in delays)  # first retry: about a second


@pytest.mark.parametrize(("base", "cap"), [(1.0, 30.0), (0.25, 5.0), (2.0, 2.0), (0.001, 60.0)])
def test_every_delay_lies_between_base_and_cap(base: float, cap: float) -> None:
    random.seed(1234)
    delay = Backoff(base, cap)
    for _ in range(500):
        value = delay.next_delay()
        assert base <= value <= cap


@pytest.mark.usefixtures("ceiling")
def test_the_ceiling_doubles_each_attempt_until_the_cap() -> None:
    delay = Backoff(1.0, 30.0)
    ceilings = [delay.next_delay() for _ in range(10)]
    assert delay.attempts == 10
    assert 1.0 <= ceilings[0] <= 2.0
    for previous, current in itertools.pairwise(ceilings):
        assert current == min(30.0, 2 * previous), ceilings
    assert ceilings[-1] == 30.0


def test_later_delays_are_longer() -> None:
    random.seed(99)
    samples = 300
    first = [Backoff(1.0, 30.0).next_delay() for _ in range(samples)]
    fifth = []
    for _ in range(samples):
        delay = Backoff(1.0, 30.0)
        for _ in range(4):
            delay.next_delay()
        fifth.append(delay.next_delay())
    assert max(fifth) > 8.0, "the fifth delay should reach well past the first ones"
    assert sum(fifth) / samples > 2 * (sum(first) / samples)


def test_the_first_retry_is_jittered_too() -> None:
    """A hundred clients that lost the same hub must not all come back at the same instant.

    The first retry is the one that matters most: every client lost the hub at once.
    """
    random.seed(5)
    first = [Backoff().next_delay() for _ in range(100)]
    assert len({round(d, 3) for d in first}) > 50, f"first retries not spread: {set(first)}"


@pytest.mark.usefixtures("ceiling")
def test_reset_starts_again_from_the_base() -> None:
    fresh = Backoff(0.5, 30.0)
    expected = [fresh.next_delay(), fresh.next_delay()]
    delay = Backoff(0.5, 30.0)
    before = [delay.next_delay() for _ in range(8)]
    assert before[-1] == 30.0
    delay.reset()
    assert delay.attempts == 0
    assert [delay.next_delay(), delay.next_delay()] == expected
    assert expected[0] <= 1.0


def test_thousands_of_attempts_never_overflow_or_leave_the_range() -> None:
    random.seed(7)
    delay = Backoff(1.0, 30.0)
    values = [delay.next_delay() for _ in range(5000)]
    assert all(math.isfinite(v) and 1.0 <= v <= 30.0 for v in values)
    # Still jittered at the cap: not pinned to one value.
    assert len({round(v, 6) for v in values[-100:]}) > 50


@pytest.mark.usefixtures("ceiling")
def test_a_huge_attempt_count_still_gives_the_cap() -> None:
    delay = Backoff(1.0, 30.0)
    delay.attempts = 10**6
    assert delay.next_delay() == 30.0
