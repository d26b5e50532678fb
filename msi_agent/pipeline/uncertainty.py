"""How far to trust a results table: a 95 % interval per row, and arms compared task by task.

Rows: SR is a binomial proportion, so it gets a Wilson interval (``msi_agent.stats.wilson``). GC is a rate in
[0, 1] too, micro-averaged (Σ satisfied / Σ goal conditions, ``envs.metrics``), but not binomial: an episode's
conditions are met or missed together. Any outcome in [0, 1] with mean p varies at most as much as a 0/1 outcome
(variance ≤ p(1−p)), so Wilson's interval with the *episodes* as trials is a conservative interval for GC — with
Kish's effective count (Σw)²/Σw² for the weights w = goal conditions per episode. (Exactly conservative when an
episode's GC does not depend on how many conditions its task has, nearly so otherwise.) A bootstrap over
episodes was the other candidate and was dropped: it collapses to a point whenever every episode scored the same
(four perfect episodes would read "GC 100–100"), and mean ± t shares that flaw and leaves [0, 1].

Arms: two arms played the same test tasks, so their difference is measured per task (task difficulty cancels)
and the per-task differences are bootstrapped together (``stats.paired_effect``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence

from envs.metrics import aggregate, episode_gc
from msi_agent.pipeline.records import EXPEL_ARM, NO_INSIGHTS_ARM, ArmComparison, ArmVerdict
from msi_agent.records import Episode
from msi_agent.stats import MIN_PAIRS, direction, mean, paired_effect, wilson, wilson_rate

VERDICTS = {1: ArmVerdict.BETTER, -1: ArmVerdict.WORSE, 0: ArmVerdict.NO_CLEAR_DIFFERENCE}


def sr_interval(scored: Sequence[Episode]) -> tuple[float, float] | None:
    return wilson(sum(e.success for e in scored), len(scored))


def gc_interval(scored: Sequence[Episode]) -> tuple[float, float] | None:
    """Conservative 95 % interval of the micro-averaged GC of ``scored`` episodes; ``None`` without any."""
    if not scored:
        return None
    gc = aggregate(scored).gc
    weights = [e.gc_total for e in scored]  # as aggregate weighs them; all zero: each episode scores its success
    if not any(weights):
        weights = [1] * len(scored)
    effective = sum(weights) ** 2 / sum(w * w for w in weights)
    return wilson_rate(gc, effective)


def arm_pairs(conditions: Sequence[str]) -> list[tuple[str, str]]:
    """(arm, versus): every arm against the no-insights arm, and the MSI arm (the first ``msi-…`` arm, as
    ``stages.settings_arms`` lists it) against ExpeL's."""
    pairs = [(c, NO_INSIGHTS_ARM) for c in conditions if NO_INSIGHTS_ARM in conditions and c != NO_INSIGHTS_ARM]
    msi = next((c for c in conditions if c.startswith("msi-")), None)
    if msi is not None and EXPEL_ARM in conditions:
        pairs.append((msi, EXPEL_ARM))
    return pairs


def compare_arms(
    by_condition: Mapping[str, Sequence[Episode]], *, seed: int = 0, min_pairs: int = MIN_PAIRS
) -> list[ArmComparison]:
    """``arm_pairs`` of ``by_condition``, each over the tasks both arms have a scored episode of (errored episodes
    are never evidence; a task played twice in an arm counts once, with its episodes' mean)."""
    outcomes = {c: _per_task(eps) for c, eps in by_condition.items()}
    return [
        _compare(arm, versus, outcomes[arm], outcomes[versus], seed, min_pairs)
        for arm, versus in arm_pairs(list(by_condition))
    ]


def _per_task(episodes: Sequence[Episode]) -> dict[str, tuple[float, float]]:
    """Task id → (mean success, mean episode GC) over the task's scored episodes."""
    by_task: dict[str, list[Episode]] = defaultdict(list)
    for e in episodes:
        if e.error is None:
            by_task[e.task.id].append(e)
    return {t: (mean(float(e.success) for e in eps), mean(episode_gc(e) for e in eps)) for t, eps in by_task.items()}


def _compare(
    arm: str,
    versus: str,
    mine: Mapping[str, tuple[float, float]],
    theirs: Mapping[str, tuple[float, float]],
    seed: int,
    min_pairs: int,
) -> ArmComparison:
    tasks = sorted(mine.keys() & theirs.keys())
    if len(tasks) < min_pairs:
        return ArmComparison(arm=arm, versus=versus, pairs=len(tasks), verdict=ArmVerdict.TOO_FEW_TASKS)
    rng = random.Random(f"{seed}:{arm}:{versus}")
    success = paired_effect([mine[t][0] - theirs[t][0] for t in tasks], rng)
    gc = paired_effect([mine[t][1] - theirs[t][1] for t in tasks], rng)
    return ArmComparison(
        arm=arm, versus=versus, pairs=len(tasks), success=success, gc=gc, verdict=VERDICTS[direction(success, gc)]
    )
