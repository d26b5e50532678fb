"""Per-insight credit: does an insight change what the agent achieves, measured on paired evaluation episodes.

The generator's votes (AGREE, REMOVE) say what an LLM *thinks* of a rule; credit says what the rule *did*. Each
evaluation episode records the ids of the insights that were in its prompt (``Episode.insight_ids``). For one
insight, every test task that was played both with it and without it gives one paired difference:

    d(task) = mean outcome of the task's episodes with the insight − mean outcome of those without it

An *exact* partner — an episode of the same task whose prompt held the same insights minus this one (an
ablation arm, ``eval --ablate``) — is used when there is one; otherwise any episode of the task without the
insight (another arm, e.g. no insights), which confounds the insight with everything else that arm lacked, so the
table says which kind of pairs it rests on. The effect is the mean of d over tasks, with a 95 % paired-bootstrap
interval (seeded, so the same runs give the same table). Fewer than ``min_pairs`` tasks: not enough evidence.
No LLM is called; only run folders are read.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field

from msi_agent.records import Episode, InsightOp, OpKind, Provenance, Source
from msi_agent.stats import MIN_PAIRS, Effect, direction, mean, paired_effect

__all__ = ["MIN_PAIRS", "Effect", "InsightCredit", "Verdict", "credit", "credit_ops"]


class Verdict(StrEnum):
    HELPS = "helps"
    HURTS = "hurts"
    NO_CLEAR_EFFECT = "no clear effect"
    NOT_ENOUGH_EVIDENCE = "not enough evidence"


class InsightCredit(BaseModel):
    insight_id: str
    used: int = Field(ge=0, description="evaluation episodes whose prompt held the insight")
    pairs: int = Field(ge=0, description="test tasks played both with and without it")
    exact_pairs: int = Field(ge=0, description="of those, tasks with an ablation partner (only this insight removed)")
    success: Effect | None = None
    gc: Effect | None = None
    verdict: Verdict
    episodes: list[str] = Field(default_factory=list, description="ids of the episodes whose prompt held it")


@dataclass(frozen=True, slots=True)
class Played:
    """One scored evaluation episode, as credit sees it."""

    id: str
    task: str
    insights: frozenset[str]
    success: float
    gc: float

    @classmethod
    def of(cls, episode: Episode) -> Played:
        gc = episode.gc_satisfied / episode.gc_total if episode.gc_total else float(episode.success)
        return cls(episode.id, episode.task.id, frozenset(episode.insight_ids), float(episode.success), gc)


def scored(episodes: Iterable[Episode]) -> list[Played]:
    """Agent episodes that are outcomes: errored ones (infrastructure failures) never count."""
    return [Played.of(e) for e in episodes if e.source is Source.AGENT and e.error is None]


def credit(
    episodes: Iterable[Episode],
    *,
    insight_ids: Iterable[str] = (),
    min_pairs: int = MIN_PAIRS,
    seed: int = 0,
) -> list[InsightCredit]:
    """Credit of every insight seen in a prompt (plus ``insight_ids``, e.g. a namespace's, so unused ones show),
    best first; insights without enough evidence last."""
    played = scored(episodes)
    by_task: dict[str, list[Played]] = defaultdict(list)
    for p in played:
        by_task[p.task].append(p)
    ids = dict.fromkeys([i for p in played for i in sorted(p.insights)] + list(insight_ids))
    rows = [_credit_of(i, by_task, min_pairs, seed) for i in ids]
    return sorted(rows, key=_rank)


def _rank(row: InsightCredit) -> tuple[int, float, float, str]:
    if row.success is None:
        return (1, 0.0, 0.0, row.insight_id)
    gc = row.gc.mean if row.gc else 0.0
    return (0, -row.success.mean, -gc, row.insight_id)


def _credit_of(insight: str, by_task: dict[str, list[Played]], min_pairs: int, seed: int) -> InsightCredit:
    used = [p.id for ps in by_task.values() for p in ps if insight in p.insights]
    diffs: list[tuple[float, float]] = []
    exact = 0
    for plays in by_task.values():
        with_it = [p for p in plays if insight in p.insights]
        without = [p for p in plays if insight not in p.insights]
        if with_it and without:
            diff, was_exact = _task_difference(insight, with_it, without)
            diffs.append(diff)
            exact += was_exact
    base = {"insight_id": insight, "used": len(used), "pairs": len(diffs), "exact_pairs": exact, "episodes": used}
    if len(diffs) < min_pairs:
        return InsightCredit(**base, verdict=Verdict.NOT_ENOUGH_EVIDENCE)
    rng = random.Random(f"{seed}:{insight}")
    success = paired_effect([d[0] for d in diffs], rng)
    gc = paired_effect([d[1] for d in diffs], rng)
    verdict = {1: Verdict.HELPS, -1: Verdict.HURTS, 0: Verdict.NO_CLEAR_EFFECT}[direction(success, gc)]
    return InsightCredit(**base, success=success, gc=gc, verdict=verdict)


def _task_difference(
    insight: str, with_it: Sequence[Played], without: Sequence[Played]
) -> tuple[tuple[float, float], bool]:
    """(success, GC) difference for one task: each episode against its own ablation partners when it has any
    (then averaged), else all episodes with the insight against all without it."""
    exact = [(p, [w for w in without if w.insights == p.insights - {insight}]) for p in with_it]
    exact = [(p, partners) for p, partners in exact if partners]
    if exact:
        success = mean(_diff([p], partners, "success") for p, partners in exact)
        return (success, mean(_diff([p], partners, "gc") for p, partners in exact)), True
    return (_diff(with_it, without, "success"), _diff(with_it, without, "gc")), False


def _diff(with_it: Sequence[Played], without: Sequence[Played], outcome: str) -> float:
    return mean(getattr(p, outcome) for p in with_it) - mean(getattr(p, outcome) for p in without)


def credit_ops(rows: Iterable[InsightCredit], runs: Sequence[str]) -> list[InsightOp]:
    """Score operations from clear measured effects — helps: AGREE (+1), hurts: REMOVE (−1) — with the measured
    effect and the episodes behind it in their provenance, so history tells them from the generator's votes."""
    ops = []
    for row in rows:
        if row.verdict not in (Verdict.HELPS, Verdict.HURTS) or row.success is None or row.gc is None:
            continue
        measured = (
            f"{row.verdict.value}: success {row.success.mean:+.2f} [{row.success.low:+.2f}, {row.success.high:+.2f}], "
            f"GC {row.gc.mean:+.2f} over {row.pairs} paired tasks ({row.exact_pairs} exact) in {', '.join(runs)}"
        )
        kind = OpKind.AGREE if row.verdict is Verdict.HELPS else OpKind.REMOVE
        ops.append(
            InsightOp(
                kind=kind, target=row.insight_id, provenance=Provenance(experience_ids=row.episodes, measured=measured)
            )
        )
    return ops
