"""A whole experiment in one run folder: collect → distill (MSI, and ExpeL for the baseline) → evaluate → tables.

Namespaces are named after the run (``<run>`` for MSI, ``<run>-expel`` for the ExpeL baseline), so runs never
share insights by accident; ``--fresh`` discards a run's folder, its pool episodes and the namespaces it wrote,
and gives the run its own LLM cache namespace (a changed model behind the same name is asked anew).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence

from msi_agent.experience.pool import PoolError
from msi_agent.modes import Baseline, ExpelSeeds, ExperienceMode, SeedFrom, Variant
from msi_agent.pipeline import ablation, protocol
from msi_agent.pipeline.namespaces import NamespaceLedger, writer_lock
from msi_agent.pipeline.online import online_arm
from msi_agent.pipeline.records import Results
from msi_agent.pipeline.results import build_results, render_markdown
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.pipeline.session import Session
from msi_agent.pipeline.stages import (
    TEST_SPLITS,
    Arm,
    collect,
    distill,
    evaluate,
    expel_namespace,
    namespace_of,
    seed_ordering,
    selector_namespace,
    settings_arms,
    tasks_for,
)
from msi_agent.records import Episode, Split, new_id


def check_settings(session: Session, run: str) -> None:
    """What the settings of run ``run`` name that can be checked before anything is played: the seed order's
    groups, the task families, the form of each ``eval.ablate`` spec, another run to distil from. A mistake there
    must not cost a collect's LLM calls first."""
    s = session.settings
    seed_ordering(session)
    session.suite.spec.check_families(s.env.families)
    for spec in s.eval.ablate:
        ablation.check(spec)
    source = s.distill.from_run
    if source and source != run and not session.pool.count(run=source, split=Split.TRAIN):
        raise PoolError(
            f"distill.from_run {source!r}: the experience pool holds no training episodes of that run; "
            f"collect them first (`msi-agent collect --name {source}`) or name a run that did"
        )


def open_run(session: Session, name: str, *, command: str, fresh: bool = False) -> RunFolder:
    """The run folder ``name`` (discarded first with ``fresh``), once ``check_settings`` passed."""
    check_settings(session, name)
    folder = RunFolder.in_workspace(session.settings.workspace, name)
    if fresh:
        discard(session, folder)
    manifest = folder.start(
        command=command, settings=session.settings, cache_namespace=f"{folder.name}-{new_id()}" if fresh else ""
    )
    for client in (session.llm, session.insight_llm):  # a --fresh run (and its resumptions) asks the model anew
        client.cache_namespace = manifest.cache_namespace
    return folder


def written_namespaces(folder: RunFolder) -> list[str]:
    """Namespaces this run's distill logs are about (their usage counts in the results; never used to delete)."""
    return folder.distilled_namespaces()


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


def eval_arms(session: Session, folder: RunFolder) -> list[Arm]:
    """The settings' arms, then one per ``eval.ablate`` unit and, with ``eval.online``, the online MSI arm."""
    s = session.settings
    out = settings_arms(s, namespace_of(s, folder))
    full = out[0]
    if s.eval.ablate:
        assert full.namespace is not None
        units = [u for spec in s.eval.ablate for u in ablation.units(spec, session.store, full.namespace)]
        if session.console is not None:
            tasks = sum(len(tasks_for(session, split, s.pipeline.test_tasks)) for split in TEST_SPLITS)
            session.console.print(ablation.cost_note(folder.episodes(full.name), len(units), tasks))
        out += ablation.arms(full, units)
    if s.eval.online:
        out.append(online_arm(session, folder, full))
    return out


def write_results(session: Session, folder: RunFolder, by_condition: Mapping[str, Sequence[Episode]]) -> Results:
    """Tables for ``by_condition``; usage comes from the run's call log, so the total also counts collection,
    every distill, and the attempts that errored or were cut short by a kill."""
    results = build_results(
        by_condition,
        llm=session.llm.name,
        prices=session.llm.prices,
        updates=folder.updates(namespace_of(session.settings, folder)),
        spend=folder.calls.spend(),
        failed_calls=folder.calls.failed(),
        differences=protocol.differences(session.settings, session.suite.spec),
        seed=session.settings.pipeline.seed,
    )
    folder.write_results(results, render_markdown(results, title=f"msi-agent run {folder.name}"))
    return results


def distill_session(session: Session, folder: RunFolder, namespace: str, **distill: object) -> Session:
    """The session of a second distill of the run (a baseline's): into ``namespace``, with ``distill`` changed."""
    s = session.settings
    settings = s.model_copy(
        update={
            "pipeline": s.pipeline.model_copy(update={"namespace": namespace}),
            "distill": s.distill.model_copy(update={"snapshots": False, **distill}),
        }
    )
    return session.with_settings(settings)


def expel_session(session: Session, folder: RunFolder) -> Session:
    """The ExpeL baseline's distill, a flat list into ``<ns>-expel``: from exactly MSI's seeds (the paper's
    tables), or with ``distill.expel_seeds = same-task`` from ExpeL's own pairs of every success."""
    s = session.settings
    same_task = {"selector": ExperienceMode.SAME_TASK, "seed_from": SeedFrom.BOTH}
    changes = same_task if s.distill.expel_seeds is ExpelSeeds.SAME_TASK else {}
    return distill_session(session, folder, expel_namespace(namespace_of(s, folder)), variant=Variant.EXPEL, **changes)


def baseline_sessions(session: Session, folder: RunFolder) -> list[Session]:
    """The distills the baselines need besides MSI's: ExpeL's, and MSI's from each other experience selector."""
    s = session.settings
    out = [expel_session(session, folder)] if Baseline.EXPEL in s.eval.baselines else []
    for baseline in s.eval.baselines:
        mode = baseline.experience_mode
        if mode is not None and mode is not s.distill.selector:
            out.append(
                distill_session(session, folder, selector_namespace(namespace_of(s, folder), mode), selector=mode)
            )
    return out


def run_all(session: Session, folder: RunFolder) -> Results:
    """The README's main job: every stage on the settings, the ExpeL distill if it is a baseline, then the tables.

    Raises ``IncompleteWork`` when an LLM failure left work undone: at once for collect or distill (later stages
    build on them), after writing the (partial) tables for eval.
    """
    collect(session, folder)
    distill(session, folder)
    for other in baseline_sessions(session, folder):
        distill(other, folder)
    results = write_results(session, folder, evaluate(session, folder, eval_arms(session, folder)))
    session.errors.check()
    return results
