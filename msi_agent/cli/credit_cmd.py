"""`msi-agent insights credit|apply-credit`: what each insight measurably did in evaluation runs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from insights_store.base import InsightStore
from msi_agent.cli.context import console, fail, state
from msi_agent.cli.insights_cmd import NS, app, opened
from msi_agent.inspect.credit import MIN_PAIRS, InsightCredit, Verdict, credit, credit_ops
from msi_agent.inspect.runs import RunRecordError, load_run, resolve_run, run_episodes
from msi_agent.inspect.templating import effect
from msi_agent.records import Episode

RUNS = typer.Argument(..., help="run names or folders whose evaluation episodes are the evidence")
MIN = typer.Option(MIN_PAIRS, "--min-pairs", min=1, help="fewer paired tasks than this: not enough evidence")


def _episodes(ctx: typer.Context, runs: list[str]) -> list[Episode]:
    workspace = Path(state(ctx).resolved().settings.workspace)
    try:
        return [e for ref in runs for e in run_episodes(load_run(resolve_run(ref, workspace)))]
    except RunRecordError as exc:
        fail(str(exc))
        raise


def _measure(ctx: typer.Context, runs: list[str], store: InsightStore, ns: str, min_pairs: int) -> list[InsightCredit]:
    held = [i.id for i in store.list(namespace=ns)]
    return credit(_episodes(ctx, runs), insight_ids=held, min_pairs=min_pairs)


@app.command("credit")
def show_credit(
    ctx: typer.Context,
    runs: list[str] = RUNS,
    namespace: str | None = NS,
    min_pairs: int = MIN,
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """Each insight's measured effect on success and goal conditions: paired tasks with vs without it in the
    runs' evaluation episodes (exact pairs come from `eval --ablate`), a 95 % bootstrap interval, and a verdict."""
    with opened(ctx, namespace) as (store, ns):
        rows = _measure(ctx, runs, store, ns, min_pairs)
        texts = {i.id: i for i in store.list(namespace=ns)}
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json", exclude={"episodes"}) for r in rows]))
        return
    table = Table(title=f"measured credit of the insights in {ns!r} ({len(runs)} run(s))")
    for col in ("id", "scale/key", "insight", "used", "pairs (exact)", "Δ success [95% CI]", "Δ GC", "verdict"):
        table.add_column(col, justify="right" if col in ("used", "pairs (exact)") else "left")
    for r in rows:
        ins = texts.get(r.insight_id)
        where = f"{ins.scale.value}/{ins.key or '-'}" if ins else "(not in the store)"
        text = " ".join(ins.text.split())[:60] if ins else ""
        table.add_row(
            r.insight_id, where, text, str(r.used), f"{r.pairs} ({r.exact_pairs})", effect(r.success), effect(r.gc),
            r.verdict.value,
        )  # fmt: skip
    console.print(table)
    if all(r.verdict is Verdict.NOT_ENOUGH_EVIDENCE for r in rows):
        console.print(
            f"No insight has {min_pairs} paired tasks yet: evaluate with and without insights on more tasks, or "
            "replay them with `msi-agent eval --ablate top:K` for exact pairs."
        )


@app.command("apply-credit")
def apply_credit(
    ctx: typer.Context,
    runs: list[str] = RUNS,
    namespace: str | None = NS,
    min_pairs: int = MIN,
    yes: bool = typer.Option(False, "--yes", help="apply without asking"),
) -> None:
    """Turn measured effects into score operations (helps: +1, hurts: −1, deleted at 0) marked as measured in each
    insight's history; insights without a clear effect are left alone."""
    with opened(ctx, namespace) as (store, ns):
        ops = credit_ops(_measure(ctx, runs, store, ns, min_pairs), runs)
        if not ops:
            console.print("No insight has a clear measured effect; nothing to apply.")
            return
        for op in ops:
            console.print(f"{op.kind.value:<6} {op.target}  ({op.provenance.measured})")
        if not yes and not typer.confirm(f"Apply these {len(ops)} operations to {ns!r}?"):
            raise typer.Exit(1)
        store.apply(ops, namespace=ns)
        console.print(f"applied {len(ops)} measured operations to {ns!r}")
