"""The three stages of MSI: collect experience on training tasks, distill insights, evaluate on test tasks.

Each stage reads its inputs from the session and the run folder and writes every result there as it goes, so
any stage can be interrupted and rerun: finished episodes and insight updates are skipped. Work an infrastructure
failure left undone goes to ``session.errors``; collect and distill raise ``IncompleteWork`` at their end (later
stages build on them), evaluate leaves the check to its caller so the partial tables can be written first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from insights_store.base import ScoringRules
from msi_agent.agent.executor import ASK_EXPERT, ExecutorConfig
from msi_agent.agent.fewshot import DemoLibrary
from msi_agent.agent.program import ProgramConfig, ProgramLibrary, supports_programs
from msi_agent.experience.seeds import Seed, SeedFrom, SelectorMode, select_seeds
from msi_agent.insights.generator import (
    DEFAULT_MAX_TOKENS,
    GeneratorConfig,
    InsightGenerator,
    SeedOrder,
    UpdateReport,
    Variant,
)
from msi_agent.insights.selector import InsightSelector, format_block
from msi_agent.insights.selector import SelectorMode as InsightMode
from msi_agent.llm.journal import recording
from msi_agent.pipeline.namespaces import NamespaceLedger, NamespaceOwnedError, writer_lock
from msi_agent.pipeline.orders import AgentOrder, ExpertOrder, ProgramOrder
from msi_agent.pipeline.proposals import run_updates
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError
from msi_agent.pipeline.runner import Job, job_id, run_jobs
from msi_agent.pipeline.session import Session
from msi_agent.records import Episode, Scale, Source, Split, Task

EXPERT, COLLECT = "expert", "collect"
TEST_SPLITS = (Split.VALID_SEEN, Split.VALID_UNSEEN)


@dataclass(frozen=True, slots=True)
class Condition:
    """One evaluation arm: a name for the tables, an insight selector mode and the namespace it reads."""

    name: str
    selector: InsightMode
    namespace: str | None = None
    exclude: frozenset[str] = frozenset()
    """Insight ids taken out of every selection: an ablation arm (``msi_agent.pipeline.ablation``)."""
    online: bool = False
    """Distil into ``namespace`` after every episode (``msi_agent.pipeline.online``)."""


def tasks_for(session: Session, split: Split, count: int) -> list[Task]:
    s = session.settings
    return session.suite.sample(split, count, seed=s.pipeline.seed, families=s.env.families)


@dataclass(frozen=True, slots=True)
class AgentOptions:
    """How the executor plays: few-shot demonstrations shown, the act-only variant, steps kept in the prompt."""

    examples: int = 1
    act_only: bool = False
    history_window: int | None = None

    def executor(self, session: Session) -> ExecutorConfig:
        return ExecutorConfig(
            max_steps=session.settings.env.max_steps, act_only=self.act_only, history_window=self.history_window
        )


Examples = DemoLibrary | ProgramLibrary


def examples_for(session: Session, demos: Sequence[Episode]) -> Examples:
    """The executor's example source: expert transcripts for ReAct, expert plans as programs for the program
    executor (written by the environment, which must offer programs). Only demonstrations of tasks the current
    environment poses are shown: the pool may hold other environments' episodes."""
    demos = [d for d in demos if session.suite.spec.poses(d.task)]
    if session.settings.agent.executor != "program":
        return DemoLibrary(demos, session.embeddings, prompts=session.templates)
    env = session.suite.make_env()
    try:
        if not supports_programs(env):
            raise ValueError(
                f"environment {session.suite.name!r} offers no program primitives; use --executor react with it"
            )
        return ProgramLibrary.from_demos(demos, env, session.embeddings, prompts=session.templates)
    finally:
        env.close()


def _play_agent(
    session: Session,
    selector: InsightSelector,
    demos: Examples,
    agent: AgentOptions | None,
    references: dict[str, int | None] | None = None,
) -> Callable[[Job], Episode]:
    """Insights and examples are chosen here, on the driver; the session's player plays the episode.

    ``references`` (task id → the expert's plan length) is filled as episodes finish and handed to later episodes of
    the same task, so the expert plans each task once per run, not once per evaluation arm."""
    references = {} if references is None else references
    agent = agent or AgentOptions()
    config, k = agent.executor(session), agent.examples
    programs = ProgramConfig(max_programs=session.settings.agent.max_programs)
    by_program = session.settings.agent.executor == "program"
    think = not agent.act_only and not by_program  # examples in the reply format the executor asks for

    def play(job: Job) -> Episode:
        selection = selector.select(job.task)
        if selection.error:  # without its insights the episode would measure another condition
            return Episode(
                id=job.episode_id,
                task=job.task,
                error=f"insight selection failed: {selection.error}",
                llm=session.llm.name,
                usage=selection.usage,
            )
        block = format_block(selection.insights, session.templates)
        examples = demos.render(job.task, k) if by_program else demos.render(job.task, k, think=think)
        ids = tuple(i.id for i in selection.insights)
        order: AgentOrder | ProgramOrder
        if by_program:
            order = ProgramOrder(
                job.episode_id, job.task, programs, block, examples, selection.usage, ids, session.templates
            )
        else:
            order = AgentOrder(
                job.episode_id,
                job.task,
                config,
                insight_block=block,
                examples=examples,
                prompts=session.templates,
                driver_usage=selection.usage,
                insight_ids=ids,
                reference_length=references.get(job.task.id, ASK_EXPERT),
            )
        episode = session.player(order)
        if episode.error is None:
            references.setdefault(job.task.id, episode.reference_length)
        return episode

    return play


def _play_expert(session: Session) -> Callable[[Job], Episode]:
    return lambda job: session.player(ExpertOrder(job.episode_id, job.task))


def demonstrations(session: Session, folder: RunFolder, tasks: Sequence[Task]) -> list[Episode]:
    """Expert demos of ``tasks`` (replayed once, then read back from the run folder)."""
    jobs = [Job(EXPERT, t, job_id(folder.name, EXPERT, t)) for t in tasks]
    return run_jobs(
        jobs,
        _play_expert(session),
        folder,
        pool=session.pool,
        workers=1,
        console=session.console,
        label="expert demonstrations",
    )


def collect(session: Session, folder: RunFolder, *, agent: AgentOptions | None = None) -> list[Episode]:
    """Expert demos and one agent attempt (no insights) per training task, into the pool and the run folder."""
    tasks = tasks_for(session, Split.TRAIN, session.settings.pipeline.train_tasks)
    demos = demonstrations(session, folder, tasks)
    library = examples_for(session, demos)
    jobs = [Job(COLLECT, t, job_id(folder.name, COLLECT, t)) for t in tasks]
    selector = InsightSelector(None, InsightMode.NONE, namespace="", prompts=session.templates)
    play = _play_agent(session, selector, library, agent, {d.task.id: d.reference_length for d in demos})
    agent = run_jobs(
        jobs,
        play,
        folder,
        pool=session.pool,
        workers=session.settings.pipeline.workers,
        console=session.console,
        label="collect (train tasks)",
        budget=session.errors,
    )
    session.errors.check()
    return demos + agent


def distill(
    session: Session,
    folder: RunFolder,
    *,
    namespace: str,
    variant: Variant = Variant.MSI,
    mode: SelectorMode | None = None,
    seed_from: SeedFrom | None = None,
    order: SeedOrder = SeedOrder.SHUFFLE,
    snapshots: bool = False,
    scoring: ScoringRules | None = None,
    source_run: str | None = None,
    family_order: Sequence[str] = (),
    max_tokens: int = DEFAULT_MAX_TOKENS,
    seeds: Sequence[Seed] | None = None,
) -> list[dict[str, Any]]:
    """One insight update per seed into ``namespace``; returns the update log (earlier updates included).

    ``seeds`` default to the experience selector's choice among the pool's training episodes (of ``source_run``).
    ``family_order`` (with ``order=given``) feeds seeds family by family in that order — the domain-shift
    experiment; seeds of other families follow. Without it, ``given`` is the selector's stable order.
    """
    p = session.settings.pipeline
    if seeds is None:
        episodes = session.pool.query(split=Split.TRAIN, run=source_run)
        seeds = select_seeds(
            episodes, mode or p.selector, seed_from=seed_from or p.seed_from, embeddings=session.embeddings
        )
    seeds = list(seeds)
    if family_order:
        rank = {f: i for i, f in enumerate(family_order)}
        seeds.sort(key=lambda s: rank.get(s.success.task.family, len(rank)))
    config = GeneratorConfig(
        variant=variant,
        order=order,
        shuffle_seed=p.seed,
        snapshots=snapshots,
        scoring=scoring or ScoringRules(),
        max_tokens=max_tokens,
    )
    generator = InsightGenerator(
        session.insight_llm, session.store, namespace=namespace, config=config, prompts=session.templates
    )
    log = f"distill-{namespace}"
    ledger = NamespaceLedger(session.settings.workspace, session.settings.store.spec)
    with writer_lock(session.settings.workspace, namespace, holder=f"distill of run {folder.name}"):
        _claim(session, ledger, namespace, folder, log)
        generator.updates = len(folder.read_log(log))

        def record(report: UpdateReport, step: int) -> None:
            if report.error:  # not made: not logged, so a rerun makes it
                session.errors.add(",".join(report.seed_ids), report.error, what="insight updates")
                return
            if report.snapshot:
                ledger.claim(report.snapshot, folder.name)
            stats = session.store.stats(namespace=namespace)
            folder.append_log(log, _report_record(report, step, stats.by_scale))

        with recording(folder.calls, scope=log):
            reports = run_updates(generator, seeds, folder, log, record)
    if reports and reports[-1].error:
        session.errors.not_started += max(0, len(seeds) - len(folder.read_log(log)) - 1)
    session.errors.check()
    return folder.read_log(log)


def _claim(session: Session, ledger: NamespaceLedger, namespace: str, folder: RunFolder, log: str) -> None:
    """Distil only into a namespace this run created (recorded in the ledger), or into an empty one it now claims.
    A run from before the ledger (its log names the namespace) claims its namespace on resuming."""
    owner, run = ledger.owner(namespace), folder.name
    if owner is None and not folder.read_log(log) and session.store.list(namespace=namespace):
        raise RunFolderError(
            f"insight namespace {namespace!r} already holds insights that this run did not write; "
            "choose another --namespace, or delete them (`msi-agent insights delete`) first"
        )
    if owner is not None and owner != run:
        raise NamespaceOwnedError(
            f"insight namespace {namespace!r} was created by run {owner!r}; choose another --namespace, "
            f"or discard that run with `--fresh --name {owner}`"
        )
    ledger.claim(namespace, run)


def _report_record(report: UpdateReport, step: int, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "step": step,
        "seed_ids": report.seed_ids,
        "call_id": report.call_id,
        "error": report.error,
        "ops": [op.model_dump(mode="json", exclude={"provenance", "schema_version"}) for op in report.ops],
        "dropped": [list(d) for d in report.dropped],
        "snapshot": report.snapshot,
        "usage": report.usage.model_dump(mode="json"),
        "counts": {s.value: counts.get(s.value, 0) for s in Scale},
    }


def evaluate(
    session: Session,
    folder: RunFolder,
    conditions: Sequence[Condition],
    *,
    agent: AgentOptions | None = None,
    demos: Sequence[Episode] | None = None,
) -> dict[str, list[Episode]]:
    """Every condition on the seen and unseen test tasks; few-shot examples come from expert demos of training
    tasks (``demos``, else the pool's). Errored episodes are in the lists (``Episode.error``) and in
    ``session.errors``; once that budget is spent, the remaining conditions are not started."""
    p = session.settings.pipeline
    tasks = [t for split in TEST_SPLITS for t in tasks_for(session, split, p.test_tasks)]
    if demos is None:
        demos = session.pool.query(source=Source.EXPERT, split=Split.TRAIN, success=True)
    library = examples_for(session, demos)
    out: dict[str, list[Episode]] = {}
    references: dict[str, int | None] = {}  # the expert plans each test task once, for the first arm that plays it
    for cond in conditions:
        selector = InsightSelector(
            session.store if cond.selector is not InsightMode.NONE else None,
            cond.selector,
            namespace=cond.namespace or "",
            llm=session.llm,
            token_budget=p.token_budget,
            prompts=session.templates,
            exclude=cond.exclude,
        )
        jobs = [Job(cond.name, t, job_id(folder.name, cond.name, t)) for t in tasks]
        if session.errors.exhausted:
            session.errors.not_started += len(jobs)
            continue
        _check_insights_present(session, folder, cond, jobs)
        play = _play_agent(session, selector, library, agent, references)
        if cond.online:
            from msi_agent.pipeline.online import play_online  # it builds on distill, in this module

            out[cond.name] = play_online(session, folder, cond, jobs, play)
            continue
        out[cond.name] = run_jobs(
            jobs,
            play,
            folder,
            pool=session.pool,
            workers=p.workers,
            console=session.console,
            label=f"eval {cond.name}",
            budget=session.errors,
        )
    return out


def _check_insights_present(session: Session, folder: RunFolder, cond: Condition, jobs: Sequence[Job]) -> None:
    """Refuse to evaluate against an empty namespace this run did fill (a memory store forgets between processes)."""
    if not cond.namespace or session.store.list(namespace=cond.namespace):
        return
    updates = folder.read_log(f"distill-{cond.namespace}")
    held = sum(updates[-1]["counts"].values()) if updates else 0  # what the namespace held after the last update
    pending = any(_unfinished(folder.load_episode(j.condition, j.episode_id)) for j in jobs)
    if held and pending:
        raise RunFolderError(
            f"insight namespace {cond.namespace!r} is empty in this store, though run {folder.name!r} left {held} "
            f"insights in it after {len(updates)} updates: the store does not keep insights between processes "
            "(memory?) or they were deleted; use a persistent store (--store chroma) or --fresh to redo the run"
        )


def _unfinished(episode: Episode | None) -> bool:
    return episode is None or episode.error is not None
