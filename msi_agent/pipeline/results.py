"""Results tables: SR, GC, path-length-weighted SR/GC per family, seen vs unseen, per condition; tokens and cost.

Metrics are ``envs.metrics`` (REFERENCE §2, TEACh definitions). Errored episodes (``Episode.error``: the LLM
call failed, not the agent) are never scored: they are counted in their own ``errored`` column and the tables
say the run is incomplete until a rerun has replayed them.

``results.json`` is ``msi_agent.pipeline.records.Results`` (rows, usage and cost per condition and in total,
insight counts per distill step); ``results.md`` is the same as Markdown tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from envs.metrics import aggregate
from msi_agent import markdown
from msi_agent.llm.accounting import PriceTable, cost, price_for
from msi_agent.pipeline.records import ConditionUsage, DistillUpdate, InsightCount, ResultRow, Results
from msi_agent.records import Episode, Split, TokenUsage

ALL = "all"
SPLIT_LABELS = {Split.VALID_SEEN.value: "seen", Split.VALID_UNSEEN.value: "unseen", ALL: "all"}


def result_rows(by_condition: Mapping[str, Sequence[Episode]]) -> list[ResultRow]:
    """One row per condition × split (seen, unseen, all) × family (each, and ``all``); errored ones not scored."""
    rows = []
    for condition, episodes in by_condition.items():
        splits = sorted({e.task.split.value for e in episodes})
        for split in [*splits, ALL]:
            in_split = [e for e in episodes if split == ALL or e.task.split.value == split]
            families = sorted({e.task.family for e in in_split})
            for family in [*families, ALL]:
                chosen = [e for e in in_split if family == ALL or e.task.family == family]
                m = aggregate(e for e in chosen if e.error is None)
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
) -> Results:
    """The tables; ``updates`` (the MSI namespace's distill log) gives the insight counts per step.

    ``spend`` is the run's call log by scope (``CallLog.spend``): every call made, errored and interrupted
    attempts included, so the totals are what the endpoint processed. A condition the log has no calls of (none
    given, or episodes played out of process, e.g. on Ray) counts its episodes' own usage."""
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
        cost_usd=cost(overall, price) if price else None,
        llm=llm,
        protocol_differences=list(differences),
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
    out += ["## Summary (all families; SR / GC in %)", ""]
    header = [
        "condition",
        *[f"{SPLIT_LABELS.get(s, s)} {m}" for s in splits for m in ("SR", "GC")],
        "errored",
        "fresh tokens",
        "cached tokens",
        "cost (USD)",
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
        out.append(_row(cells))
    for split in splits:
        if split == ALL:
            continue
        out += ["", f"## {SPLIT_LABELS.get(split, split)} tasks ({split}); SR, GC, PLW SR, PLW GC in %", ""]
        header = ["family", "condition", "n", "SR", "GC", "PLW SR", "PLW GC"]
        out += [_row(header), _row(["---"] * len(header))]
        families = [*sorted({k[2] for k in keyed if k[1] == split} - {ALL}), ALL]
        for family in families:
            for cond in conditions:
                sc = keyed.get((cond, split, family))
                if sc is not None:
                    out.append(
                        _row(
                            [family, cond, str(sc.episodes), _pct(sc.sr), _pct(sc.gc), _pct(sc.plw_sr), _pct(sc.plw_gc)]
                        )
                    )
    usage = results.usage
    out += [
        "",
        f"LLM: {markdown.text(results.llm)}; the whole run (collect, distill, eval) used "
        f"{usage.fresh_prompt_tokens} prompt + {usage.fresh_completion_tokens} completion tokens in {usage.calls} "
        f"calls to the endpoint, and {usage.cached_prompt_tokens} + {usage.cached_completion_tokens} from the cache "
        f"in {usage.cached_calls} calls.",
    ]
    if results.protocol_differences:
        out += ["", "## Protocol differences from the paper", ""]
        out += [f"- {markdown.text(line)}" for line in results.protocol_differences]
    return "\n".join(out) + "\n"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(markdown.text(c) for c in cells) + " |"
