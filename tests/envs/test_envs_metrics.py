"""Metrics: SR, micro-averaged GC, path-length-weighted SR/GC, grouping."""

from __future__ import annotations

import pytest

from envs.metrics import Metrics, aggregate, by, episode_gc, path_weight
from msi_agent.records import Episode, Split, Task


def ep(
    family: str, success: bool, sat: int, total: int, path: int, ref: int | None, split: Split = Split.VALID_SEEN
) -> Episode:
    task = Task(
        id=f"{family}-{sat}-{path}",
        family=family,
        environment="Kitchen",
        scene="FloorPlan1",
        instruction="x",
        split=split,
    )
    return Episode(task=task, success=success, gc_satisfied=sat, gc_total=total, path_length=path, reference_length=ref)


def test_aggregate_by_hand() -> None:
    eps = [ep("a", True, 2, 2, 10, 10), ep("a", False, 1, 4, 40, 20), ep("b", True, 0, 0, 5, None)]
    m = aggregate(eps)
    assert m.count == 3
    assert m.sr == pytest.approx(2 / 3)
    assert m.gc == pytest.approx(3 / 6)  # micro: (2 + 1 + 0) / (2 + 4 + 0)
    # PLW over episodes with a reference: SR (1*1*10 + 0) / 30; GC (1*1*10 + 0.25*0.5*20) / 30
    assert m.plw_sr == pytest.approx(10 / 30)
    assert m.plw_gc == pytest.approx((10 + 0.25 * 0.5 * 20) / 30)


def test_edge_cases() -> None:
    assert aggregate([]) == Metrics(count=0, sr=0.0, gc=0.0, plw_sr=None, plw_gc=None)
    none = aggregate([ep("a", True, 0, 0, 3, None)])
    assert none.gc == 1.0 and none.plw_sr is None
    assert episode_gc(ep("a", False, 0, 0, 1, None)) == 0.0
    assert path_weight(5, 10) == 1.0 and path_weight(20, 10) == 0.5
    with pytest.raises(ValueError, match="reference_length"):
        path_weight(3, 0)


def test_by_family_and_split() -> None:
    eps = [ep("a", True, 1, 1, 1, 1), ep("b", False, 0, 1, 1, 1, Split.VALID_UNSEEN), ep("a", False, 0, 1, 1, 1)]
    groups = by(eps, "family")
    assert list(groups) == ["a", "b"] and groups["a"].count == 2 and groups["a"].sr == 0.5
    assert set(by(eps, "split")) == {"valid_seen", "valid_unseen"}
    assert set(by(eps, lambda e: e.task.scene)) == {"FloorPlan1"}
    with pytest.raises(ValueError, match="grouping"):
        by(eps, "colour")
