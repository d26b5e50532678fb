"""Intervals of ``msi_agent.stats`` against values computed by hand."""

from __future__ import annotations

import random

import pytest

from msi_agent.stats import (
    BOOTSTRAP_SAMPLES,
    Effect,
    bootstrap,
    direction,
    mean,
    paired_effect,
    sign_test,
    wilson,
)


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # centre = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²), z = 1.96
        (0, 10, (0.0, 0.27753)),
        (10, 10, (0.72247, 1.0)),
        (5, 10, (0.23659, 0.76341)),
        (11, 20, (0.34209, 0.74180)),
    ],
)
def test_wilson_matches_hand_computed_values(successes: int, n: int, expected: tuple[float, float]) -> None:
    low, high = wilson(successes, n) or (-1.0, -1.0)
    assert (low, high) == pytest.approx(expected, abs=1e-5)


def test_wilson_is_exact_at_the_ends_and_none_without_trials() -> None:
    assert wilson(0, 3) is not None and wilson(0, 3)[0] == 0.0  # type: ignore[index]
    assert wilson(3, 3) is not None and wilson(3, 3)[1] == 1.0  # type: ignore[index]
    assert wilson(0, 0) is None
    with pytest.raises(ValueError, match="between 0 and n=3"):
        wilson(4, 3)


def test_the_bootstrap_is_deterministic_for_a_seed_and_moves_with_it() -> None:
    diffs = [1.0, 0.0, 0.0, 1.0, -1.0, 1.0, 0.0, 1.0]
    first = paired_effect(diffs, random.Random("7:a"))
    assert first == paired_effect(diffs, random.Random("7:a"))
    assert first.mean == pytest.approx(0.375) and first.low < first.mean < first.high
    others = {paired_effect(diffs, random.Random(f"{s}:a")) for s in range(5)}
    assert len(others) > 1  # the seed matters: the intervals are resampled, not fixed


def test_the_bootstrap_covers_the_statistic_and_agreeing_items_give_a_point() -> None:
    low, high = bootstrap([0.2, 0.4, 0.9], mean, random.Random(0))
    assert 0.2 <= low <= mean([0.2, 0.4, 0.9]) <= high <= 0.9
    assert bootstrap([0.5] * 6, mean, random.Random(0)) == (0.5, 0.5)
    assert BOOTSTRAP_SAMPLES >= 1000
    with pytest.raises(ValueError, match="at least one item"):
        bootstrap([], mean, random.Random(0))


@pytest.mark.parametrize(
    ("success", "gc", "expected"),
    [
        (Effect(mean=0.3, low=0.1, high=0.5), Effect(mean=0, low=-0.1, high=0.1), 1),
        (Effect(mean=-0.3, low=-0.5, high=-0.1), Effect(mean=0.2, low=0.1, high=0.3), -1),
        (Effect(mean=0.1, low=-0.1, high=0.3), Effect(mean=0.2, low=0.1, high=0.3), 0),  # GC never overrules SR
        (Effect(mean=0, low=0, high=0), Effect(mean=0.2, low=0.1, high=0.3), 1),  # … unless SR did not move
        (Effect(mean=0, low=0, high=0), Effect(mean=0, low=0, high=0), 0),
    ],
)
def test_direction_reads_the_success_interval_first(success: Effect, gc: Effect, expected: int) -> None:
    assert direction(success, gc) == expected


@pytest.mark.parametrize(
    ("diffs", "p"),
    [
        ([1.0] * 6, 2 / 64),  # a clean sweep of 6: the smallest significant one
        ([1.0] * 3 + [0.0] * 3, 0.25),  # ties are dropped
        ([1.0] * 5 + [-1.0], 2 * 7 / 64),
        ([0.0] * 8, 1.0),
        ([0.5, -0.25], 1.0),
    ],
)
def test_sign_test_p_values(diffs: list[float], p: float) -> None:
    assert sign_test(diffs) == pytest.approx(p)


@pytest.mark.parametrize(
    ("diffs", "expected"),
    [
        ([1.0] * 6, 1),
        ([-1.0] * 7, -1),
        ([1.0] * 3 + [0.0] * 3, 0),  # the bootstrap interval excludes 0 here; the verdict must not
        ([1.0] * 4 + [0.0] * 6, 0),
    ],
)
def test_verdicts_follow_the_sign_test_not_the_bootstrap(diffs: list[float], expected: int) -> None:
    success = paired_effect(diffs, random.Random(0))
    if diffs == [1.0] * 3 + [0.0] * 3:
        assert success.low > 0  # what a bootstrap-decided verdict would have called a win
    assert direction(success, paired_effect([0.0] * len(diffs), random.Random(0))) == expected
