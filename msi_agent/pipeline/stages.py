"""The three stages of MSI: collect experience on training tasks, distill insights, evaluate on test tasks.

Each stage takes ``(session, folder)`` and reads every choice from ``session.settings`` (the ``agent``, ``distill``
and ``eval`` sections); it writes every result to the run folder as it goes, so any stage can be interrupted and
rerun: finished episodes and insight updates are skipped. Work an infrastructure failure left undone goes to
``session.errors``; collect and distill raise ``IncompleteWork`` at their end (later stages build on them), evaluate
leaves the check to its caller so the partial tables can be written first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from insights_store.base import ScoringRules
from insights_store.core import check_namespace
from msi_agent.agent.executor import ASK_EXPERT, ExecutorConfig
from msi_agent.agent.fewshot import DemoLibrary
from msi_agent.agent.program import ProgramConfig, ProgramLibrary, supports_programs
from msi_agent.config import Settings
from msi_agent.experience.order import SeedOrdering
from msi_agent.experience.seeds import Seed, select_seeds
from msi_agent.insights.generator import GeneratorConfig, InsightGenerator, UpdateReport
from msi_agent.insights.selector import InsightSelector, format_block
from msi_agent.llm.journal import recording
from msi_agent.modes import Baseline, Executor, ExperienceMode, InsightMode, SeedOrder, Variant
from msi_agent.pipeline.namespaces import NamespaceLedger, NamespaceOwnedError, writer_lock
from msi_agent.pipeline.orders import AgentOrder, ExpertOrder, ProgramOrder
from msi_agent.pipeline.proposals import run_updates
from msi_agent.pipeline.records import EXPEL_ARM, NO_INSIGHTS_ARM, DistillUpdate
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError
from msi_agent.pipeline.runner import Job, job_id, run_jobs
from msi_agent.pipeline.session import Session
from msi_agent.records import Episode, Scale, Source, Split, Task

EXPERT, COLLECT = "expert", "collect"
TEST_SPLITS = (Split.VALID_SEEN, Split.VALID_UNSEEN)


@dataclass(frozen=True, slots=True)
class Arm:
    """One evaluation arm: a name for the tables (and its episode folder), an insight selector, its namespace."""

    name: str
    selector: InsightMode
    namespace: str | None = None
    exclude: frozenset[str] = frozenset()
    """Insight ids taken out of every selection: an ablation arm (``msi_agent.pipeline.ablation``)."""
    online: bool = False
    """Distil into ``namespace`` after every episode (``msi_agent.pipeline.online``)."""


def namespace_of(settings: Settings, folder: RunFolder) -> str:
    """The insight namespace a run distils into and evaluates: ``pipeline.namespace`` (checked: an empty or
    path-like name is an error, never the default), else the run's name."""
    given = settings.pipeline.namespace
    return check_namespace(folder.name if given is None else given)


def expel_namespace(namespace: str) -> str:
    return f"{namespace}-expel"


def selector_namespace(namespace: str, mode: ExperienceMode) -> str:
    """Where an ``msi-<experience selector>`` arm's insights are distilled: ``<namespace>-<selector>``."""
    return f"{namespace}-{mode.value}"


def settings_arms(settings: Settings, namespace: str) -> list[Arm]:
    """The MSI arm with ``eval.insight_selector``, then the ``eval.baselines`` arms in their order."""
    mode = settings.eval.insight_selector
    out = [Arm(f"msi-{mode.value}", mode, namespace)]
    for baseline in settings.eval.baselines:
        if baseline is Baseline.NONE:
            out.append(Arm(NO_INSIGHTS_ARM, InsightMode.NONE))
        elif baseline is Baseline.EXPEL:
            out.append(Arm(EXPEL_ARM, InsightMode.ALL, expel_namespace(namespace)))
        elif (other := baseline.insight_mode) is not None and other is not mode:
            out.append(Arm(baseline.value, other, namespace))
        elif (seeds := baseline.experience_mode) is not None and seeds is not settings.distill.selector:
            out.append(Arm(f"{baseline.value}-{mode.value}", mode, selector_namespace(namespace, seeds)))
    return out


def tasks_for(session: Session, split: Split, count: int) -> list[Task]:
    s = session.settings
    return session.suite.sample(split, count, seed=s.pipeline.seed, families=s.env.families)


Examples = DemoLibrary | ProgramLibrary


def examples_for(session: Session, demos: Sequence[Episode]) -> Examples:
    """The executor's example source: expert transcripts for ReAct, expert plans as programs for the program
    executor (written by the environment, which must offer programs). Only demonstrations of tasks the current
    environment poses are shown: the pool may hold other environments' episodes."""
    demos = [d for d in demos if session.suite.spec.poses(d.task)]
    if session.settings.agent.executor is not Executor.PROGRAM:
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
    session: Session, selector: InsightSelector, demos: Examples, references: dict[str, int | None] | None = None
) -> Callable[[Job], Episode]:
    """Insights and examples are chosen here, on the driver; the session's player plays the episode.

    ``references`` (task id → the expert's plan length) is filled as episodes finish and handed to later episodes of
    the same task, so the expert plans each task once per run, not once per evaluation arm."""
    references = {} if references is None else references
    a = session.settings.agent
    steps = a.max_steps or session.suite.spec.max_steps
    config = ExecutorConfig(
        max_steps=steps, act_only=a.act_only, history_window=a.history_window, env_budget=a.max_steps is None
    )
    k = a.examples
    programs = ProgramConfig(max_programs=a.max_programs)
    by_program = a.executor is Executor.PROGRAM
    think = not a.act_only and not by_program  # examples in the reply format the executor asks for

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
        reference = references.get(job.task.id, ASK_EXPERT)
        if by_program:
            order = ProgramOrder(
                job.episode_id, job.task, programs, block, examples, selection.usage, ids, session.templates, reference
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
                reference_length=reference,
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


def collect(session: Session, folder: RunFolder) -> list[Episode]:
    """Expert demos and one agent attempt (no insights) per training task, into the pool and the run folder."""
    tasks = tasks_for(session, Split.TRAIN, session.settings.pipeline.train_tasks)
    demos = demonstrations(session, folder, tasks)
    library = examples_for(session, demos)
    jobs = [Job(COLLECT, t, job_id(folder.name, COLLECT, t)) for t in tasks]
    no_insights = InsightSelector(None, InsightMode.NONE, namespace="", prompts=session.templates)
    references = {d.task.id: d.reference_length for d in demos}
    agent = run_jobs(
        jobs,
        _play_agent(session, no_insights, library, references),
        folder,
        pool=session.pool,
        workers=session.settings.pipeline.workers,
        console=session.console,
        label="collect (train tasks)",
        budget=session.errors,
    )
    session.errors.check()
    return demos + agent


def distill(session: Session, folder: RunFolder, seeds: Sequence[Seed] | None = None) -> list[DistillUpdate]:
    """One insight update per seed into the run's namespace; returns the update log (earlier updates included).

    ``seeds`` default to the experience selector's choice among the pool's training episodes (``distill.from_run``;
    the online arm gives its own). ``distill.seed_order`` may group seeds by family or by environment category in a
    given order (the paper's domain shift, ``experience.order``), and then pairs within a group only; ``given`` is
    the selector's stable order, ``shuffle`` the seeded shuffle. An update whose LLM call failed is not logged (a
    rerun makes it) and stops the stage; the write order that survives a kill at any point is
    ``proposals.run_updates``'.
    """
    s, d = session.settings, session.settings.distill
    namespace = namespace_of(s, folder)
    ordering = seed_ordering(session)
    if seeds is None:
        source = d.from_run or (folder.name if session.pool.count(run=folder.name, split=Split.TRAIN) else None)
        episodes = session.pool.query(split=Split.TRAIN, run=source)
        seeds = select_seeds(
            episodes, d.selector, seed_from=d.seed_from, embeddings=session.embeddings, within=ordering.pairs_within
        )
    seeds = ordering.arrange(seeds)
    config = GeneratorConfig(
        variant=d.variant,
        order=SeedOrder.SHUFFLE if ordering.shuffled else SeedOrder.GIVEN,
        shuffle_seed=s.pipeline.seed,
        snapshots=d.snapshots,
        scoring=ScoringRules(edit=d.edit_score, remove_when_full=d.remove_when_full),
        scales=tuple(d.scales),
        max_rules=d.expel_max_rules if d.variant is Variant.EXPEL else None,
        max_tokens=d.max_tokens,
    )
    ledger = NamespaceLedger(s.workspace, s.store.spec)
    with writer_lock(s.workspace, namespace, holder=f"distill of run {folder.name}"):
        _claim(session, ledger, namespace, folder)
        folder.claim_namespace(namespace, d)
        generator = InsightGenerator(
            session.insight_llm,
            session.store,
            namespace=namespace,
            config=config,
            prompts=session.templates,
            done=len(folder.updates(namespace)),
        )

        def record(report: UpdateReport, step: int) -> None:
            if report.error:  # not made: not logged, so a rerun makes it
                session.errors.add(",".join(report.seed_ids), report.error, what="insight updates")
                return
            if report.snapshot:
                ledger.claim(report.snapshot, folder.name)
            by_scale = session.store.stats(namespace=namespace).by_scale
            update = DistillUpdate(
                step=step,
                seed_ids=report.seed_ids,
                call_id=report.call_id,
                ops=report.ops,
                dropped=report.dropped,
                snapshot=report.snapshot,
                usage=report.usage,
                counts={sc.value: by_scale.get(sc.value, 0) for sc in Scale},
            )
            folder.append_update(namespace, update)

        with recording(folder.calls, scope=folder.log_path(namespace).stem):
            reports = run_updates(generator, seeds, folder, namespace, record)
    if reports and reports[-1].error:
        session.errors.not_started += max(0, len(seeds) - len(folder.updates(namespace)) - 1)
    session.errors.check()
    return folder.updates(namespace)


def seed_ordering(session: Session) -> SeedOrdering:
    """``distill.seed_order``, checked against the environment's families and categories."""
    ordering = SeedOrdering.parse(session.settings.distill.seed_order)
    spec = session.suite.spec
    ordering.check(families=spec.family_names(), categories=spec.categories, environment=spec.name)
    return ordering


def _claim(session: Session, ledger: NamespaceLedger, namespace: str, folder: RunFolder) -> None:
    """Distil only into a namespace this run created (recorded in the ledger), or into an empty one it now claims.
    A run from before the ledger (its log names the namespace) claims its namespace on resuming."""
    owner, run = ledger.owner(namespace), folder.name
    if owner is None and not folder.updates(namespace) and session.store.list(namespace=namespace):
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


def evaluate(session: Session, folder: RunFolder, arms: Sequence[Arm] | None = None) -> dict[str, list[Episode]]:
    """Every arm (default: ``settings_arms``; ``experiment.eval_arms`` adds ablation and online ones) on the seen
    and unseen test tasks. Errored episodes are in the lists (``Episode.error``) and in ``session.errors``; once
    that budget is spent, the remaining arms are not started."""
    out: dict[str, list[Episode]] = {}
    if arms is None:
        arms = settings_arms(session.settings, namespace_of(session.settings, folder))
    references: dict[str, int | None] = {}  # the expert plans each test task once, for the first arm that plays it
    for arm in arms:
        if session.errors.exhausted:
            session.errors.not_started += 2 * session.settings.pipeline.test_tasks
            continue
        out[arm.name] = play_arm(session, folder, arm, references)
    return out


def play_arm(
    session: Session, folder: RunFolder, arm: Arm, references: dict[str, int | None] | None = None
) -> list[Episode]:
    """One arm on the seen and unseen test tasks; few-shot examples come from the pool's expert demonstrations of
    training tasks."""
    s = session.settings
    tasks = [t for split in TEST_SPLITS for t in tasks_for(session, split, s.pipeline.test_tasks)]
    demos = session.pool.query(source=Source.EXPERT, split=Split.TRAIN, success=True)
    selector = InsightSelector(
        session.store if arm.selector is not InsightMode.NONE else None,
        arm.selector,
        namespace=arm.namespace or "",
        llm=session.llm,
        token_budget=s.eval.token_budget,
        prompts=session.templates,
        exclude=arm.exclude,
    )
    jobs = [Job(arm.name, t, job_id(folder.name, arm.name, t)) for t in tasks]
    _check_insights_present(session, folder, arm, jobs)
    play = _play_agent(session, selector, examples_for(session, demos), references)
    if arm.online:
        from msi_agent.pipeline.online import play_online  # it builds on distill, in this module

        return play_online(session, folder, arm, jobs, play)
    return run_jobs(
        jobs,
        play,
        folder,
        pool=session.pool,
        workers=s.pipeline.workers,
        console=session.console,
        label=f"eval {arm.name}",
        budget=session.errors,
    )


def _check_insights_present(session: Session, folder: RunFolder, arm: Arm, jobs: Sequence[Job]) -> None:
    """Refuse to evaluate against an empty namespace this run did fill (a memory store forgets between processes)."""
    if not arm.namespace or session.store.list(namespace=arm.namespace):
        return
    updates = folder.updates(arm.namespace)
    held = sum(updates[-1].counts.values()) if updates else 0  # what the namespace held after the last update
    pending = any(_unfinished(folder.load_episode(j.condition, j.episode_id)) for j in jobs)
    if held and pending:
        raise RunFolderError(
            f"insight namespace {arm.namespace!r} is empty in this store, though run {folder.name!r} left {held} "
            f"insights in it after {len(updates)} updates: the store does not keep insights between processes "
            "(memory?) or they were deleted; use a persistent store (--store chroma) or --fresh to redo the run"
        )


def _unfinished(episode: Episode | None) -> bool:
    return episode is None or episode.error is not None
