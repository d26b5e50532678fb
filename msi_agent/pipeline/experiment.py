"""A whole experiment in one run folder: collect → distill (MSI, and ExpeL for the baseline) → evaluate → tables.

Namespaces are named after the run (``<run>`` for MSI, ``<run>-expel`` for the ExpeL baseline), so runs never
share insights by accident; ``--fresh`` discards a run's folder, its pool episodes and the namespaces it wrote,
and gives the run its own LLM cache namespace (a changed model behind the same name is asked anew).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from typing import Any

from msi_agent.experience.seeds import SeedFrom, SelectorMode
from msi_agent.insights.generator import DEFAULT_MAX_TOKENS, Variant
from msi_agent.insights.selector import SelectorMode as InsightMode
from msi_agent.pipeline.namespaces import NamespaceLedger, writer_lock
from msi_agent.pipeline.results import build_results, render_markdown
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.pipeline.session import Session
from msi_agent.pipeline.stages import AgentOptions, Condition, collect, distill, evaluate
from msi_agent.records import Episode, new_id

BASELINES = ("none", "expel")
DISTILL_LOG_PREFIX = "distill-"


def expel_namespace(namespace: str) -> str:
    return f"{namespace}-expel"


def open_run(session: Session, name: str, *, command: str, fresh: bool = False) -> RunFolder:
    folder = RunFolder.in_workspace(session.settings.workspace, name)
    if fresh:
        discard(session, folder)
    seed = session.settings.pipeline.seed
    manifest = folder.start(
        command=command,
        config=session.config_record(),
        seeds={"tasks": seed, "seed_order": seed},
        cache_namespace=f"{folder.name}-{new_id()}" if fresh else "",
    )
    for client in (session.llm, session.insight_llm):  # a --fresh run (and its resumptions) asks the model anew
        client.cache_namespace = manifest.get("cache_namespace", "")
    return folder


def written_namespaces(folder: RunFolder) -> list[str]:
    """Namespaces this run's distill logs are about (their usage counts in the results; never used to delete)."""
    return [
        log.stem.removeprefix(DISTILL_LOG_PREFIX) for log in sorted(folder.path.glob(f"{DISTILL_LOG_PREFIX}*.jsonl"))
    ]


def discard(session: Session, folder: RunFolder) -> None:
    """``--fresh``: the namespaces the ledger says this run created (snapshots included), its pool episodes, its
    folder. Names in the folder's logs are not trusted: a copied or edited folder must not wipe other namespaces."""
    ledger = NamespaceLedger(session.settings.workspace, session.settings.store.spec)
    for ns in ledger.owned_by(folder.name):
        with writer_lock(session.settings.workspace, ns, holder=f"--fresh of run {folder.name}"):
            for insight in session.store.list(namespace=ns):
                session.store.delete(insight.id, namespace=ns)
            ledger.release(ns)
    session.pool.delete(run=folder.name)
    if folder.path.exists():
        shutil.rmtree(folder.path)


def conditions_for(
    namespace: str, insight_selector: InsightMode | str, baselines: Sequence[str] = BASELINES
) -> list[Condition]:
    unknown = set(baselines) - set(BASELINES)
    if unknown:
        raise ValueError(f"unknown baseline(s) {sorted(unknown)}; choose from {', '.join(BASELINES)}")
    mode = InsightMode(insight_selector)
    conds = [Condition(f"msi-{mode.value}", mode, namespace)]
    if "none" in baselines:
        conds.append(Condition("no-insights", InsightMode.NONE))
    if "expel" in baselines:
        conds.append(Condition("expel-all", InsightMode.ALL, expel_namespace(namespace)))
    return conds


def write_results(
    session: Session, folder: RunFolder, by_condition: Mapping[str, Sequence[Episode]], *, namespace: str
) -> dict[str, Any]:
    """Tables for ``by_condition``; usage comes from the run's call log, so the total also counts collection,
    every distill, and the attempts that errored or were cut short by a kill."""
    log = folder.read_log(f"{DISTILL_LOG_PREFIX}{namespace}")
    results = build_results(
        by_condition,
        llm=session.llm.name,
        prices=session.llm.prices,
        insight_counts=log,
        spend=folder.calls.spend(),
    )
    folder.write_results(results, render_markdown(results, title=f"msi-agent run {folder.name}"))
    return results


def run_all(
    session: Session,
    folder: RunFolder,
    *,
    baselines: Sequence[str] = BASELINES,
    snapshots: bool = False,
    agent: AgentOptions | None = None,
    insight_max_tokens: int = DEFAULT_MAX_TOKENS,
) -> dict[str, Any]:
    """The README's main job: every stage on the settings' task counts, then the tables.

    Raises ``IncompleteWork`` when an LLM failure left work undone: at once for collect or distill (later stages
    build on them), after writing the (partial) tables for eval.
    """
    p = session.settings.pipeline
    collect(session, folder, agent=agent)
    namespace = folder.name
    distill(
        session,
        folder,
        namespace=namespace,
        variant=Variant.MSI,
        snapshots=snapshots,
        source_run=folder.name,
        max_tokens=insight_max_tokens,
    )
    if "expel" in baselines:
        distill(
            session,
            folder,
            namespace=expel_namespace(namespace),
            variant=Variant.EXPEL,
            mode=SelectorMode.SAME_TASK,
            seed_from=SeedFrom.BOTH,
            source_run=folder.name,
            max_tokens=insight_max_tokens,
        )
    by_condition = evaluate(session, folder, conditions_for(namespace, p.insight_selector, baselines), agent=agent)
    results = write_results(session, folder, by_condition, namespace=namespace)
    session.errors.check()
    return results
