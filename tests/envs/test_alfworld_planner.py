"""The planner runs in a forked child with a time limit; the parent is never blocked past it."""

from __future__ import annotations

import time

import pytest

from envs.alfworld.planner import PlannerTimeoutError, plan_within


def test_returns_the_plan() -> None:
    assert plan_within(lambda: ["go to fridge 1", "open fridge 1"], timeout=10) == ["go to fridge 1", "open fridge 1"]


def test_gives_up_after_the_limit() -> None:
    started = time.monotonic()
    with pytest.raises(PlannerTimeoutError, match=r"within 0\.5 s"):
        plan_within(lambda: time.sleep(30) or [], timeout=0.5)  # type: ignore[func-returns-value]
    assert time.monotonic() - started < 5


def test_reports_a_failing_planner() -> None:
    def broken() -> list[str]:
        raise KeyError("val1")

    with pytest.raises(RuntimeError, match="KeyError: 'val1'"):
        plan_within(broken, timeout=10)


def test_large_plans_cross_the_pipe() -> None:
    plan = [f"go to cabinet {i}" for i in range(20000)]
    assert plan_within(lambda: plan, timeout=30) == plan
