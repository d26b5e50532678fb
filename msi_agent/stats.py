"""How sure a figure is: 95 % intervals for a success rate and for a mean, and paired differences between arms.

With the paper's 20–50 test tasks a 5-point gap between two arms is often noise; every table that compares arms
(results, insight credit) draws its intervals from here so they mean the same thing everywhere. Pure Python and
seeded: the same episodes always give the same interval, and no scipy is needed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

Z95 = 1.959963984540054
"""The standard normal quantile of 0.975: a two-sided 95 % interval."""
BOOTSTRAP_SAMPLES = 2000
MIN_PAIRS = 6
"""The fewest paired tasks at which even a clean sweep (one side better on every task) is significant at 5 % by a
two-sided sign test (2 · 2⁻⁶ ≈ 3 %): a bootstrap over fewer tasks would call a 4-task sweep a certain win. Arm
comparisons and insight credit both use it."""


T = TypeVar("T")


class Effect(BaseModel):
    """A mean paired difference with its 95 % interval (``low`` ≤ ``mean`` ≤ ``high``) and the two-sided exact
    sign-test p-value over the tasks whose outcome differed (``sign_test``), which decides verdicts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mean: float
    low: float
    high: float
    p_value: float | None = None
    """None in results written before verdicts were sign-tested (their verdict then follows the interval)."""


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion; ``None`` for no trials.

    Chosen over the textbook p ± z·√(p(1−p)/n) because that one collapses to a point at 0/n and n/n and leaves
    [0, 1] for small n — exactly the 0 % and 100 % rows of a small test set — while Wilson stays inside [0, 1] and
    keeps a width that says how few trials there were (0/10 → 0–28 %)."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    return wilson_rate(successes / n, n, z)


def wilson_rate(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval for an observed rate ``p`` in [0, 1] over ``n`` > 0 (possibly effective) trials."""
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if p <= 0 else max(0.0, centre - half)  # exact at the ends, not 0.9999999999999999
    return low, 1.0 if p >= 1 else min(1.0, centre + half)


def bootstrap(items: Sequence[T], statistic: Callable[[Sequence[T]], float], rng: random.Random) -> tuple[float, float]:
    """95 % percentile interval of ``statistic`` over ``BOOTSTRAP_SAMPLES`` resamples (with replacement) of
    ``items``, the independent units (episodes, or paired tasks). Narrow when every item agrees: a bootstrap only
    knows the spread it was shown."""
    n = len(items)
    if n == 0:
        raise ValueError("bootstrap needs at least one item")
    values = sorted(statistic([items[rng.randrange(n)] for _ in range(n)]) for _ in range(BOOTSTRAP_SAMPLES))
    return values[int(0.025 * BOOTSTRAP_SAMPLES)], values[int(0.975 * BOOTSTRAP_SAMPLES) - 1]


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items)


def paired_effect(diffs: Sequence[float], rng: random.Random) -> Effect:
    """Mean of per-task differences with a paired-bootstrap interval: resampling tasks (not episodes) keeps each
    task's two outcomes together, so task difficulty cancels out of the comparison."""
    low, high = bootstrap(diffs, mean, rng)
    return Effect(mean=mean(diffs), low=low, high=high, p_value=sign_test(diffs))


def sign_test(diffs: Sequence[float]) -> float:
    """Two-sided exact sign test: the chance of a split at least this lopsided among the tasks that differed (ties
    dropped) if either side were as likely to win each. It decides verdicts because a percentile bootstrap over a
    few tasks is overconfident: 3 wins and 3 ties give a bootstrap interval of [0.17, 0.83] but p = 0.25."""
    wins, losses = sum(d > 0 for d in diffs), sum(d < 0 for d in diffs)
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1))
    return min(1.0, 2 * tail / 2**n)


ALPHA = 0.05


def direction(success: Effect, gc: Effect) -> int:
    """+1 when success differs significantly upwards (sign test at ``ALPHA``), −1 downwards, else 0. Goal-condition
    progress decides only when success did not move at all (mean 0): partial progress counts, never against a clear
    SR. An effect without a p-value (an older file) is judged by whether its interval excludes 0."""

    def sign(effect: Effect) -> int:
        significant = effect.low > 0 or effect.high < 0 if effect.p_value is None else effect.p_value < ALPHA
        return (effect.mean > 0) - (effect.mean < 0) if significant else 0

    return sign(success) or (sign(gc) if success.mean == 0 else 0)
