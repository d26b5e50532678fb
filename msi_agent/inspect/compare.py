"""Run comparison as chart data: SR and GC per family and split with vs without insights, insight counts per
scale over distill steps, tokens and cost. Shared by ``msi-agent report`` and the viewer's compare page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from msi_agent.inspect.charts import BarChart
from msi_agent.inspect.formats import SCALE_ORDER
from msi_agent.inspect.runs import ResultRow, RunData

METRICS = (("sr", "Success rate"), ("gc", "Goal conditions"))
ALL_FAMILIES = "all"


@dataclass(frozen=True, slots=True)
class UsageRow:
    run: str
    prompt_tokens: int
    completion_tokens: int
    calls: int
    cost_usd: float | None


def _series_name(run: RunData, condition: str, many_runs: bool) -> str:
    return f"{run.name} · {condition}" if many_runs else condition


def splits(runs: Sequence[RunData]) -> list[str]:
    return list(dict.fromkeys(r.split for run in runs for r in run.results.rows))


def families(runs: Sequence[RunData], split: str) -> list[str]:
    """Families of a split in first-seen order, with the overall ``all`` row last."""
    names = dict.fromkeys(r.family for run in runs for r in run.results.rows if r.split == split)
    ordered = [n for n in names if n != ALL_FAMILIES]
    return [*ordered, ALL_FAMILIES] if ALL_FAMILIES in names else ordered


def metric_charts(runs: Sequence[RunData]) -> list[BarChart]:
    """One chart per (metric, split): groups are families, one bar per run × condition, in percent."""
    many = len(runs) > 1
    charts: list[BarChart] = []
    for split in splits(runs):
        groups = families(runs, split)
        for metric, label in METRICS:
            series: dict[str, list[float | None]] = {}
            for run in runs:
                index: dict[tuple[str, str], ResultRow] = {
                    (r.condition, r.family): r for r in run.results.rows if r.split == split
                }
                for condition in run.conditions:
                    values = [index.get((condition, fam)) for fam in groups]
                    if any(v is not None for v in values):
                        series[_series_name(run, condition, many)] = [
                            None if v is None else 100 * getattr(v, metric) for v in values
                        ]
            charts.append(
                BarChart(
                    title=f"{label} per family — {split}",
                    groups=groups,
                    series=series,
                    unit="%",
                    max_value=100.0,
                    slug=f"{metric}-{split}",
                )
            )
    return charts


def insight_count_charts(runs: Sequence[RunData]) -> list[BarChart]:
    """Per run with distill steps: insights per scale after each step."""
    charts: list[BarChart] = []
    for run in runs:
        steps = run.results.insight_counts
        if not steps:
            continue
        scales = [s.value for s in SCALE_ORDER]
        scales += sorted({k for st in steps for k in st.counts} - set(scales))
        charts.append(
            BarChart(
                title=f"Insights per scale over distill steps — {run.name}",
                groups=[f"step {st.step}" for st in steps],
                series={scale: [float(st.counts.get(scale, 0)) for st in steps] for scale in scales},
                slug=f"insights-{run.name}",
            )
        )
    return charts


def usage_rows(runs: Sequence[RunData]) -> list[UsageRow]:
    return [
        UsageRow(
            run=run.name,
            prompt_tokens=run.results.usage.prompt_tokens,
            completion_tokens=run.results.usage.completion_tokens,
            calls=run.results.usage.calls,
            cost_usd=run.results.cost_usd,
        )
        for run in runs
    ]


def usage_chart(runs: Sequence[RunData]) -> BarChart:
    rows = usage_rows(runs)
    return BarChart(
        title="Tokens per run (thousands)",
        groups=[r.run for r in rows],
        series={
            "prompt": [r.prompt_tokens / 1000 for r in rows],
            "completion": [r.completion_tokens / 1000 for r in rows],
        },
        unit="k",
        slug="tokens",
    )


def all_charts(runs: Sequence[RunData]) -> list[BarChart]:
    return [*metric_charts(runs), *insight_count_charts(runs), usage_chart(runs)]
