"""Intervals per results row and the paired comparison of arms, on hand-built episodes (the end-to-end run with a
scripted player is tests/pipeline/test_arm_comparison_run.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msi_agent.pipeline.records import RUN_SCHEMA_VERSION, ArmVerdict, Results, RunRecordError
from msi_agent.pipeline.results import build_results, render_markdown
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.pipeline.uncertainty import arm_pairs, compare_arms, gc_interval
from msi_agent.records import Episode, Split, Task
from msi_agent.stats import wilson, wilson_rate


def _ep(arm: str, i: int, satisfied: int, *, total: int = 2, error: str | None = None) -> Episode:
    task = Task(id=f"t{i}", family="f", environment="Kitchen", scene="s", instruction=f"do {i}", split=Split.VALID_SEEN)
    return Episode(
        id=f"{arm}.t{i}", task=task, success=satisfied == total, gc_total=total, gc_satisfied=satisfied, error=error
    )


def _arm(name: str, outcomes: list[int], **kw: object) -> list[Episode]:
    return [_ep(name, i, s, **kw) for i, s in enumerate(outcomes)]  # type: ignore[arg-type]


def test_identical_arms_are_no_clear_difference_and_a_steady_win_is_better() -> None:
    mixed = [2, 0, 2, 2, 1, 2, 2, 0, 2, 2]  # 7 wins against an arm that wins nothing: sign test p = 2 · 2⁻⁷
    by = {"msi-hashmap": _arm("m", mixed), "no-insights": _arm("n", mixed), "expel-all": _arm("e", [0] * 10)}
    rows = {(c.arm, c.versus): c for c in compare_arms(by)}
    assert list(rows) == [("msi-hashmap", "no-insights"), ("expel-all", "no-insights"), ("msi-hashmap", "expel-all")]
    same = rows[("msi-hashmap", "no-insights")]
    assert same.pairs == 10 and same.verdict is ArmVerdict.NO_CLEAR_DIFFERENCE
    assert same.success and (same.success.mean, same.success.low, same.success.high) == (0, 0, 0)
    win = rows[("msi-hashmap", "expel-all")]
    assert win.success and win.success.mean == pytest.approx(0.7) and win.success.low > 0
    assert win.verdict is ArmVerdict.BETTER and rows[("expel-all", "no-insights")].verdict is ArmVerdict.WORSE


def test_errored_episodes_are_never_evidence_and_few_pairs_say_so() -> None:
    won = _arm("m", [2] * 6)
    lost = _arm("n", [0] * 3) + _arm("n", [0] * 6, error="LLM call failed: refused")[3:]
    (row,) = compare_arms({"msi-hashmap": won, "no-insights": lost})
    assert row.pairs == 3 and row.verdict is ArmVerdict.TOO_FEW_TASKS and row.success is None
    (row,) = compare_arms({"msi-hashmap": won, "no-insights": lost}, min_pairs=3)
    assert row.success and row.success.low == 1.0  # the bootstrap is certain; the sign test is not (p = 0.25)
    assert row.verdict is ArmVerdict.NO_CLEAR_DIFFERENCE
    sweep = {"msi-hashmap": _arm("m", [2] * 5), "no-insights": _arm("n", [0] * 5)}
    (row,) = compare_arms(sweep)  # five tasks all won: a sign test would not call it (p = 2 · 2⁻⁵ ≈ 6 %)
    assert row.pairs == 5 and row.verdict is ArmVerdict.TOO_FEW_TASKS


def test_only_arms_with_a_baseline_are_compared() -> None:
    assert arm_pairs(["msi-hashmap", "msi-vector"]) == []
    assert arm_pairs(["msi-hashmap", "expel-all"]) == [("msi-hashmap", "expel-all")]


def test_gc_interval_is_wilson_over_episodes_weighted_as_gc_is() -> None:
    perfect = _arm("m", [2, 2, 2, 2])
    assert gc_interval(perfect) == wilson(4, 4)  # four perfect episodes are not certainty (a bootstrap says 100–100)
    assert gc_interval(_arm("m", [2, 0, 2, 0])) == wilson(2, 4)  # 0/1 outcomes, equal weights: exactly SR's
    mixed = [*_arm("m", [3, 0, 1], total=3), _ep("m", 9, 0, total=1)]  # GC = Σ satisfied / Σ total = 4/10
    low, high = gc_interval(mixed) or (-1.0, -1.0)
    assert (low, high) == wilson_rate(0.4, 10**2 / (3 * 9 + 1))  # Kish's effective count: (Σw)² / Σw² ≈ 3.6
    assert 0 < low < 0.4 < high < 1 and high - low > (wilson(4, 10)[1] - wilson(4, 10)[0])  # type: ignore[index]
    assert gc_interval([]) is None


def test_results_carry_intervals_reproducibly_and_render_them_after_the_old_columns() -> None:
    by = {"msi-hashmap": _arm("m", [2] * 5 + [0] * 5), "no-insights": _arm("n", [0] * 10)}
    results = build_results(by, llm="scripted", seed=3)
    assert results == build_results(by, llm="scripted", seed=3)
    pooled = {r.condition: r for r in results.rows if r.family == "all" and r.split == "all"}
    assert pooled["msi-hashmap"].sr_ci == pytest.approx((0.23659, 0.76341), abs=1e-5)  # Wilson 5/10
    assert pooled["no-insights"].sr_ci == pytest.approx((0.0, 0.27753), abs=1e-5)  # Wilson 0/10
    md = render_markdown(results, title="t")
    assert "| f | msi-hashmap | 10 | 50.0 | 50.0 | – | – | 24–76 |" in md
    # 5 wins and 5 ties: the bootstrap interval excludes 0, but a sign test gives p = 2 · 2⁻⁵ ≈ 6 %
    assert "| msi-hashmap | no-insights | 10 | +50.0 (" in md and "| no clear difference |" in md


def test_results_from_before_intervals_are_read_and_newer_ones_refused(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "old")
    folder.path.mkdir()
    row = {"family": "all", "split": "valid_seen", "condition": "msi-hashmap", "episodes": 2, "sr": 0.5, "gc": 0.5}
    (folder.path / "results.json").write_text(
        json.dumps({"schema_version": 1, "rows": [row], "conditions": {"msi-hashmap": {}}})
    )
    old = folder.results()
    assert old.rows[0].sr_ci is None and old.comparisons == [] and old.schema_version == 1
    assert "| all | msi-hashmap | 2 | 50.0 | 50.0 | – | – | – | – |" in render_markdown(old, title="old")
    newer = {"schema_version": RUN_SCHEMA_VERSION + 1, "rows": [], "comparisons": []}
    with pytest.raises(RunRecordError, match="written by a newer msi-agent"):
        Results.read(newer, "results.json")
