"""Run comparison as chart data: SR and GC per family and split with vs without insights, insight counts per
scale over distill steps, tokens and cost. Shared by ``msi-agent report`` and the viewer's compare page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from msi_agent.inspect.charts import BarChart
from msi_agent.inspect.formats import SCALE_ORDER
from msi_agent.inspect.runs import RunData
from msi_agent.pipeline.records import ResultRow

METRICS = (("sr", "Success rate"), ("gc", "Goal conditions"))
ALL = "all"  # the pooled row (every family, or every split) in results


TOTAL = "total"


@dataclass(frozen=True, slots=True)
class UsageRow:
    """Tokens and cost of one condition of a run, or of the whole run (``condition == TOTAL``, distilling too).
    Prompt and completion tokens are the fresh ones (sent to the endpoint); ``cached_tokens`` came from the cache."""

    run: str
    condition: str
    prompt_tokens: int
    completion_tokens: int
    calls: int
    cost_usd: float | None
    cached_tokens: int = 0
    errored: int = 0


@dataclass(frozen=True, slots=True)
class PivotRow:
    split: str
    family: str
    cells: list[ResultRow | None]  # one per condition of the table, in its order


@dataclass(frozen=True, slots=True)
class Pivot:
    """A run's results with conditions side by side: with vs without insights at a glance."""

    conditions: list[str]
    rows: list[PivotRow]
    has_plw: bool


def pivot(run: RunData) -> Pivot:
    index = {(r.split, r.family, r.condition): r for r in run.results.rows}
    conditions = run.conditions
    rows = [
        PivotRow(split, family, [index.get((split, family, c)) for c in conditions])
        for split in splits([run])
        for family in families([run], split)
    ]
    has_plw = any(r.plw_sr is not None or r.plw_gc is not None for r in run.results.rows)
    return Pivot(conditions=conditions, rows=rows, has_plw=has_plw)


def _series_name(run: RunData, condition: str, many_runs: bool) -> str:
    return f"{run.name} · {condition}" if many_runs else condition


def splits(runs: Sequence[RunData]) -> list[str]:
    """Splits in first-seen order, with the pooled ``all`` split last."""
    names = dict.fromkeys(r.split for run in runs for r in run.results.rows)
    return [*(n for n in names if n != ALL), *([ALL] if ALL in names else [])]


def families(runs: Sequence[RunData], split: str) -> list[str]:
    """Families of a split in first-seen order, with the pooled ``all`` family last."""
    names = dict.fromkeys(r.family for run in runs for r in run.results.rows if r.split == split)
    return [*(n for n in names if n != ALL), *([ALL] if ALL in names else [])]


def _series(runs: Sequence[RunData], metric: str, cells: list[tuple[str, str]]) -> dict[str, list[float | None]]:
    """One series per run × condition over ``cells`` (split, family), in percent; all-empty series are dropped."""
    many = len(runs) > 1
    series: dict[str, list[float | None]] = {}
    for run in runs:
        index = {(r.condition, r.split, r.family): r for r in run.results.rows}
        for condition in run.conditions:
            rows = [index.get((condition, split, family)) for split, family in cells]
            if any(r is not None for r in rows):
                series[_series_name(run, condition, many)] = [
                    None if r is None else 100 * getattr(r, metric) for r in rows
                ]
    return series


def metric_charts(runs: Sequence[RunData]) -> list[BarChart]:
    """SR and GC: an overview per split (all families pooled), then per family within each split."""
    charts: list[BarChart] = []
    all_splits = splits(runs)
    for metric, label in METRICS:
        cells = [(split, ALL) for split in all_splits]
        if any(r.family == ALL for run in runs for r in run.results.rows):
            charts.append(
                BarChart(
                    title=f"{label} per split (all families)",
                    groups=all_splits,
                    series=_series(runs, metric, cells),
                    unit="%",
                    max_value=100.0,
                    slug=f"{metric}-overview",
                )
            )
    for split in (s for s in all_splits if s != ALL):
        groups = families(runs, split)
        for metric, label in METRICS:
            charts.append(
                BarChart(
                    title=f"{label} per family — {split}",
                    groups=groups,
                    series=_series(runs, metric, [(split, f) for f in groups]),
                    unit="%",
                    max_value=100.0,
                    slug=f"{metric}-{split}",
                )
            )
    return charts


MAX_STEPS_SHOWN = 20


def _spread(count: int, limit: int) -> list[int]:
    """At most ``limit`` indices out of ``count``, evenly spread, always with the first and the last."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


def insight_count_charts(runs: Sequence[RunData]) -> list[BarChart]:
    """Per run with distill steps: insights per scale after each step (at most 20 steps, evenly spread)."""
    charts: list[BarChart] = []
    for run in runs:
        all_steps = run.results.insight_counts
        if not all_steps:
            continue
        steps = [all_steps[i] for i in _spread(len(all_steps), MAX_STEPS_SHOWN)]
        scales = [s.value for s in SCALE_ORDER]
        scales += sorted({k for st in steps for k in st.counts} - set(scales))
        sampled = f", {len(steps)} of {len(all_steps)} steps" if len(steps) < len(all_steps) else ""
        charts.append(
            BarChart(
                title=f"Insights per scale over distill steps — {run.name}{sampled}",
                groups=[f"step {st.step}" for st in steps],
                series={scale: [float(st.counts.get(scale, 0)) for st in steps] for scale in scales},
                slug=f"insights-{run.name}",
            )
        )
    return charts


def usage_rows(runs: Sequence[RunData]) -> list[UsageRow]:
    rows: list[UsageRow] = []
    for run in runs:
        parts = [*run.results.conditions.items(), (TOTAL, run.results)]
        rows += [
            UsageRow(
                run=run.name,
                condition=name,
                prompt_tokens=part.usage.fresh_prompt_tokens,
                completion_tokens=part.usage.fresh_completion_tokens,
                calls=part.usage.calls,
                cost_usd=part.cost_usd,
                cached_tokens=part.usage.cached_tokens,
                errored=sum(c.errored for c in run.results.conditions.values()) if name == TOTAL else part.errored,
            )
            for name, part in parts
        ]
    return rows


def usage_chart(runs: Sequence[RunData]) -> BarChart:
    """Tokens per condition (the price of carrying insights in the prompt), per run when several."""
    rows = [r for r in usage_rows(runs) if r.condition != TOTAL] or usage_rows(runs)
    many = len(runs) > 1
    return BarChart(
        title="Tokens per condition (thousands)",
        groups=[f"{r.run} · {r.condition}" if many else r.condition for r in rows],
        series={
            "prompt": [r.prompt_tokens / 1000 for r in rows],
            "completion": [r.completion_tokens / 1000 for r in rows],
        },
        unit="k",
        slug="tokens",
    )


def all_charts(runs: Sequence[RunData]) -> list[BarChart]:
    return [*metric_charts(runs), *insight_count_charts(runs), usage_chart(runs)]
