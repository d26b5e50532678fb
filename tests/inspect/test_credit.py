"""Per-insight credit over paired evaluation episodes (hand-built episodes; the end-to-end scenario is in
tests/pipeline/test_credit_run.py)."""

from __future__ import annotations

import pytest

from msi_agent.inspect.credit import Verdict, credit
from msi_agent.records import Episode, Source, Task


def _task(i: int) -> Task:
    return Task(id=f"t{i}", family="f", environment="Kitchen", scene="s", instruction=f"do {i}")


def _ep(arm: str, i: int, insights: set[str], success: bool, **kw: object) -> Episode:
    return Episode(
        id=f"{arm}.t{i}",
        task=_task(i),
        success=success,
        gc_total=2,
        gc_satisfied=2 if success else 0,
        insight_ids=sorted(insights),
        **kw,
    )


def test_exact_ablation_pairs_rank_helpful_first_and_harmful_last() -> None:
    """Tasks 0-5 succeed exactly when "help" is in the prompt; tasks 6-11 fail exactly when "harm" is."""
    full = {"help", "harm", "idle"}

    def wins(i: int, insights: set[str]) -> bool:
        return "help" in insights if i < 6 else "harm" not in insights

    eps = [
        _ep(arm, i, held, success=wins(i, held))
        for i in range(12)
        for arm, held in (("main", full), *((f"no-{x}", full - {x}) for x in sorted(full)))
    ]
    rows = credit(eps, insight_ids=["never"])
    by = {r.insight_id: r for r in rows}
    assert by["help"].success and by["help"].success.mean > 0 and by["help"].verdict is Verdict.HELPS
    assert by["harm"].success and by["harm"].success.mean < 0 and by["harm"].verdict is Verdict.HURTS
    assert by["idle"].success and by["idle"].success.mean == 0 and by["idle"].verdict is Verdict.NO_CLEAR_EFFECT
    assert by["never"].verdict is Verdict.NOT_ENOUGH_EVIDENCE and by["never"].used == 0
    assert by["help"].pairs == by["help"].exact_pairs == 12
    # ranking: help > idle > harm, then the ones without evidence
    assert [r.insight_id for r in rows] == ["help", "idle", "harm", "never"]


def test_loose_pairs_are_counted_apart_and_few_pairs_are_not_evidence() -> None:
    eps = [_ep("msi", i, {"a"}, success=True) for i in range(3)]
    eps += [_ep("none", i, set(), success=False) for i in range(3)]
    (row,) = credit(eps)
    assert (row.pairs, row.exact_pairs) == (3, 3)  # the empty set is "a" removed: an exact partner
    assert row.verdict is Verdict.NOT_ENOUGH_EVIDENCE and row.success is None
    eps += [_ep("msi", 9, {"a", "b"}, success=True), _ep("none", 9, set(), success=False)]
    rows = {r.insight_id: r for r in credit(eps, min_pairs=4)}
    assert (rows["a"].pairs, rows["a"].exact_pairs) == (4, 3)
    assert rows["a"].verdict is Verdict.NO_CLEAR_EFFECT  # 4 wins of 4: sign test p = 0.125
    eps += [
        _ep(arm, i, held, success=won)
        for i in (10, 11)
        for arm, held, won in (("msi", {"a"}, True), ("none", set(), False))
    ]
    assert {r.insight_id: r for r in credit(eps)}["a"].verdict is Verdict.HELPS  # 6 of 6: p ≈ 0.03


def test_errored_and_expert_episodes_are_not_evidence() -> None:
    eps = [_ep("msi", i, {"a"}, success=True) for i in range(5)]
    eps += [_ep("none", i, set(), success=False, error="LLM call failed: refused") for i in range(5)]
    eps += [_ep("demo", i, set(), success=True, source=Source.EXPERT) for i in range(5)]
    (row,) = credit(eps)
    assert row.pairs == 0 and row.used == 5 and row.verdict is Verdict.NOT_ENOUGH_EVIDENCE


def test_gc_breaks_ties_and_the_interval_is_reproducible() -> None:
    eps = []
    for i in range(8):
        eps.append(_ep("with", i, {"a"}, success=False).model_copy(update={"gc_satisfied": 1}))
        eps.append(_ep("without", i, set(), success=False))
    first, second = credit(eps), credit(eps)
    assert first == second
    (row,) = first
    assert row.success and row.success.mean == 0
    assert row.gc and row.gc.mean == pytest.approx(0.5) and row.verdict is Verdict.HELPS
