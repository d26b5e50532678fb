"""Results tables: SR, GC, path-length-weighted SR/GC per family, seen vs unseen, per condition; tokens and cost.

Metrics are ``envs.metrics`` (REFERENCE §2, TEACh definitions). Errored episodes (``Episode.error``: the LLM
call failed, not the agent) are never scored: they are counted in their own ``errored`` column and the tables
say the run is incomplete until a rerun has replayed them.

``results.json`` is ``msi_agent.pipeline.records.Results`` (rows with 95 % intervals, usage and cost per condition
and in total, insight counts per distill step, arms compared task by task); ``results.md`` is the same as Markdown
tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from envs.metrics import aggregate
from msi_agent import markdown
from msi_agent.llm.accounting import PriceTable, cost, price_for
from msi_agent.pipeline.records import ArmComparison, ConditionUsage, DistillUpdate, InsightCount, ResultRow, Results
from msi_agent.pipeline.uncertainty import MIN_PAIRS, compare_arms, gc_interval, sr_interval
from msi_agent.records import Episode, Split, TokenUsage
from msi_agent.stats import Effect

ALL = "all"
SPLIT_LABELS = {Split.VALID_SEEN.value: "seen", Split.VALID_UNSEEN.value: "unseen", ALL: "all"}


COMPARISON_NOTE = (
    "Arm − versus, in percentage points: the mean over the test tasks both arms played (errored episodes left out) "
    "with a 95 % paired-bootstrap interval. The verdict is an exact two-sided sign test at 5 % over the tasks whose "
    "success differed (GC decides only when SR did not move): a bootstrap over few tasks is overconfident. Fewer "
    f"than {MIN_PAIRS} paired tasks are too few to say."
)
"""How to read the arm comparison; results.md, the report and the viewer all print this one text."""
PLW_NOTE = (
    "GC is pooled over goal conditions (satisfied ÷ total, all episodes of the row); PLW SR and PLW GC (ALFRED's "
    "path-length weighting) weight each episode's own SR or GC by min(1, expert steps ÷ agent steps) and by its "
    "expert length. The two weight episodes differently, so PLW GC can exceed GC (when the tasks with many goal "
    "conditions are the ones done badly)."
)


def result_rows(by_condition: Mapping[str, Sequence[Episode]]) -> list[ResultRow]:
    """One row per condition × split (seen, unseen, all) × family (each, and ``all``); errored ones not scored.
    Each row carries 95 % intervals for SR and GC (``pipeline.uncertainty``)."""
    rows = []
    for condition, episodes in by_condition.items():
        splits = sorted({e.task.split.value for e in episodes})
        for split in [*splits, ALL]:
            in_split = [e for e in episodes if split == ALL or e.task.split.value == split]
            families = sorted({e.task.family for e in in_split})
            for family in [*families, ALL]:
                chosen = [e for e in in_split if family == ALL or e.task.family == family]
                scored = [e for e in chosen if e.error is None]
                m = aggregate(scored)
                rows.append(
                    ResultRow(
                        family=family,
                        split=split,
                        condition=condition,
                        episodes=m.count,
                        errored=sum(e.error is not None for e in chosen),
                        sr=m.sr,
                        gc=m.gc,
                        plw_sr=m.plw_sr,
                        plw_gc=m.plw_gc,
                        sr_ci=sr_interval(scored),
                        gc_ci=gc_interval(scored),
                    )
                )
    return rows


def build_results(
    by_condition: Mapping[str, Sequence[Episode]],
    *,
    llm: str,
    prices: PriceTable | None = None,
    updates: Sequence[DistillUpdate] = (),
    spend: Mapping[str, TokenUsage] | None = None,
    differences: Sequence[str] = (),
    seed: int = 0,
    failed_calls: int = 0,
) -> Results:
    """The tables; ``updates`` (the MSI namespace's distill log) gives the insight counts per step.

    ``spend`` is the run's call log by scope (``CallLog.spend``): every call made, errored and interrupted
    attempts included (Ray actors' calls too), so the totals are what the endpoint processed. A condition the log
    has no calls of (no log given) counts its episodes' own usage. ``seed`` seeds the
    paired bootstrap of the arm comparison, so the same episodes always give the same tables."""
    price = price_for(llm, prices or {})
    spend = dict(spend or {})
    summary = {}
    for condition, episodes in by_condition.items():
        if condition not in spend:
            spend[condition] = sum((e.usage for e in episodes), TokenUsage())
        usage = spend[condition]
        summary[condition] = ConditionUsage(
            episodes=sum(e.error is None for e in episodes),
            errored=sum(e.error is not None for e in episodes),
            usage=usage,
            cost_usd=cost(usage, price) if price else None,
        )
    overall = sum(spend.values(), TokenUsage())
    return Results(
        rows=result_rows(by_condition),
        conditions=summary,
        insight_counts=[InsightCount(step=u.step, counts=u.counts) for u in updates],
        usage=overall,
        failed_calls=failed_calls,
        cost_usd=cost(overall, price) if price else None,
        llm=llm,
        protocol_differences=list(differences),
        comparisons=compare_arms(by_condition, seed=seed),
    )


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def render_markdown(results: Results, *, title: str) -> str:
    keyed = {(r.condition, r.split, r.family): r for r in results.rows}
    conditions = list(results.conditions)
    splits = [s for s in (Split.VALID_SEEN.value, Split.VALID_UNSEEN.value, ALL) if any(k[1] == s for k in keyed)]
    out = [f"# {markdown.text(title)}", ""]
    errored = sum(c.errored for c in results.conditions.values())
    if errored:
        out += [
            f"**Incomplete:** {errored} episodes errored (the LLM call failed, not the agent); they are not scored. "
            "Rerun the same command to replay them.",
            "",
        ]
    out += [
        "## Summary (all families; SR / GC in %)",
        "",
        "95 % intervals (of all tasks here, of each row below): SR by Wilson's score interval, GC by Wilson's "
        "interval over episodes (conservative: GC is not a 0/1 outcome). Compare arms by the paired section "
        "further down, not by overlapping intervals.",
        "",
    ]
    header = [
        "condition",
        *[f"{SPLIT_LABELS.get(s, s)} {m}" for s in splits for m in ("SR", "GC")],
        "errored",
        "fresh tokens",
        "cached tokens",
        "cost (USD)",
        "SR 95% CI",
        "GC 95% CI",
    ]
    out += [_row(header), _row(["---"] * len(header))]
    for cond in conditions:
        cells = [cond]
        for split in splits:
            sc = keyed.get((cond, split, ALL))
            cells += [_pct(sc.sr), _pct(sc.gc)] if sc else ["–", "–"]
        spent = results.conditions[cond]
        cells.append(str(spent.errored))
        price = spent.cost_usd
        cells += [
            str(spent.usage.fresh_tokens),
            str(spent.usage.cached_tokens),
            "–" if price is None else f"{price:.4f}",
        ]
        pooled = keyed.get((cond, ALL, ALL))
        cells += [interval(pooled.sr_ci), interval(pooled.gc_ci)] if pooled else ["–", "–"]
        out.append(_row(cells))
    for split in splits:
        if split == ALL:
            continue
        out += ["", f"## {SPLIT_LABELS.get(split, split)} tasks ({split}); SR, GC, PLW SR, PLW GC in %", ""]
        header = ["family", "condition", "n", "SR", "GC", "PLW SR", "PLW GC", "SR 95% CI", "GC 95% CI"]
        out += [_row(header), _row(["---"] * len(header))]
        families = [*sorted({k[2] for k in keyed if k[1] == split} - {ALL}), ALL]
        for family in families:
            for cond in conditions:
                sc = keyed.get((cond, split, family))
                if sc is not None:
                    out.append(
                        _row(
                            [
                                family,
                                cond,
                                str(sc.episodes),
                                _pct(sc.sr),
                                _pct(sc.gc),
                                _pct(sc.plw_sr),
                                _pct(sc.plw_gc),
                                interval(sc.sr_ci),
                                interval(sc.gc_ci),
                            ]
                        )
                    )
    if any(r.plw_sr is not None for r in results.rows):
        out += ["", PLW_NOTE]
    out += _comparison_section(results.comparisons)
    usage = results.usage
    out += [
        "",
        f"LLM: {markdown.text(results.llm)}; the whole run (collect, distill, eval) used "
        f"{usage.fresh_prompt_tokens} prompt + {usage.fresh_completion_tokens} completion tokens in {usage.calls} "
        f"calls to the endpoint{f' ({results.failed_calls} of them failed)' if results.failed_calls else ''}, and "
        f"{usage.cached_prompt_tokens} + {usage.cached_completion_tokens} from the cache "
        f"in {usage.cached_calls} calls.",
    ]
    if results.protocol_differences:
        out += ["", "## Protocol differences from the paper", ""]
        out += [f"- {markdown.text(line)}" for line in results.protocol_differences]
    return "\n".join(out) + "\n"


def interval(ci: tuple[float, float] | None) -> str:
    """A 0..1 interval in whole percent, as "33–75"; '–' when there is none (no episodes, or an older file)."""
    return "–" if ci is None else f"{100 * ci[0]:.0f}–{100 * ci[1]:.0f}"


def points(effect: Effect | None) -> str:
    """A difference of rates in percentage points with its interval: "+25.0 (+12.5, +37.5)"."""
    if effect is None:
        return "–"
    return f"{100 * effect.mean:+.1f} ({100 * effect.low:+.1f}, {100 * effect.high:+.1f})"


def _comparison_section(comparisons: Sequence[ArmComparison]) -> list[str]:
    if not comparisons:
        return []
    out = [
        "",
        "## Arms compared on the same tasks",
        "",
        COMPARISON_NOTE,
        "",
    ]
    header = ["arm", "versus", "paired tasks", "Δ SR (95% CI)", "Δ GC (95% CI)", "verdict"]
    out += [_row(header), _row(["---"] * len(header))]
    for c in comparisons:
        out.append(_row([c.arm, c.versus, str(c.pairs), points(c.success), points(c.gc), c.verdict.value]))
    return out


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(markdown.text(c) for c in cells) + " |"
