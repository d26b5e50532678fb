"""`msi-agent collect | distill | eval | run`: the MSI pipeline over config, one run folder per experiment.

Commands only resolve settings, build a ``Session`` and call ``msi_agent.pipeline``; every error a user can fix is
printed as one line saying what to change. Work an LLM failure left undone ends the command with exit status
``INCOMPLETE`` and one line: how much errored, the first error, the command that resumes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

import envs
from envs.spec import EnvSpec, MissingSamplerError
from insights_store.base import ScoringRules, StoreError
from insights_store.core import check_namespace
from msi_agent.cli.context import console, fail, state
from msi_agent.config import Settings
from msi_agent.experience.pool import PoolError
from msi_agent.insights.generator import DEFAULT_MAX_TOKENS, SeedOrder, Variant
from msi_agent.llm import LLMAuthError, LLMConfigError
from msi_agent.pipeline import ablation, experiment, stages
from msi_agent.pipeline.errored import IncompleteWork
from msi_agent.pipeline.namespaces import NamespaceBusyError
from msi_agent.pipeline.online import online_arm
from msi_agent.pipeline.runfolder import MUST_MATCH, RunFolder, RunFolderError
from msi_agent.pipeline.session import Session
from msi_agent.registry import UnknownPluginError

RUN_PRESET = {
    "pipeline.train_tasks": 4,
    "pipeline.test_tasks": 2,
    "env.max_steps": 8,
}
"""`msi-agent run` where task counts and step limit are unset: few tasks, short episodes, and the environment's
default families (the household's: two short ALFWorld families) — small enough for the bundled 135M model on 2
cores (a few minutes)."""


def run_preset(spec: EnvSpec) -> dict[str, Any]:
    return {**RUN_PRESET, "env.families": list(spec.default_families)}


USER_ERRORS = (
    NamespaceBusyError,
    RunFolderError,
    PoolError,
    StoreError,
    LLMConfigError,
    LLMAuthError,
    UnknownPluginError,
    MissingSamplerError,
    ValueError,
)

NAME = typer.Option("default", "--name", "-n", help="run folder workspace/runs/NAME (rerun to resume)")
WORKERS = typer.Option(None, "--workers", "-w", help="episodes in parallel (threads; for network LLMs)")
TRAIN = typer.Option(None, "--train-tasks", help="training tasks (collect)")
TEST = typer.Option(None, "--test-tasks", help="test tasks per split (seen and unseen)")
STEPS = typer.Option(None, "--max-steps", help="step limit per episode")
SEED = typer.Option(None, "--seed", help="task sampling and seed order")
FAMILIES = typer.Option(None, "--family", "-f", help="task family (repeat); default all")
FRESH = typer.Option(
    False, "--fresh", help="discard this run's folder, pool episodes and the namespaces it created (ledger) first"
)
EXAMPLES = typer.Option(1, "--examples", min=0, help="few-shot expert demonstrations in the prompt")
ACT_ONLY = typer.Option(False, "--act-only", help="the Act variant: actions without thoughts")
EXECUTOR = typer.Option(
    None, "--executor", help="react (thought/action/observation) or program (HELPER-style programs over primitives)"
)
HISTORY = typer.Option(None, "--history", min=0, help="steps kept in the prompt (default: all)")
MAX_ERRORS = typer.Option(
    None, "--max-errors", min=1, help="stop after this many errored episodes (LLM call failures); default 3"
)
INCOMPLETE = 3
"""Exit status of a command that left errored work (rerun it to resume); 2 is a usage error, 1 a failure."""
RUN_INSIGHT_TOKENS = 256
"""`run`'s cap on one insight-update reply: 3 parts × ≤ 4 one-line operations fit, and a small local model that
rambles stops early (512, `distill`'s default, doubles the distill time of the bundled 135M model on 2 cores)."""
SELECTOR = typer.Option(None, "--selector", help="experience selector: success, pair, same-task")
SEED_FROM = typer.Option(None, "--seed-from", help="seeds from agent, expert or both")
INSIGHT_SELECTOR = typer.Option(
    None, "--insight-selector", help="hashmap, vector, general-only, general-environment, all"
)
BASELINES = typer.Option("none,expel", "--baselines", help="comma list of baselines: none, expel (or '')")
SNAPSHOTS = typer.Option(False, "--snapshots", help="keep a copy of the insight set after every update")


def _flags(**values: Any) -> dict[str, Any]:
    keys = {
        "workers": "pipeline.workers",
        "train": "pipeline.train_tasks",
        "test": "pipeline.test_tasks",
        "steps": "env.max_steps",
        "seed": "pipeline.seed",
        "families": "env.families",
        "selector": "pipeline.selector",
        "seed_from": "pipeline.seed_from",
        "insight_selector": "pipeline.insight_selector",
        "token_budget": "pipeline.token_budget",
        "max_errors": "pipeline.max_errors",
        "executor": "agent.executor",
    }
    return {keys[k].replace(".", "__"): v for k, v in values.items() if v not in (None, [])}


def _settings(
    ctx: typer.Context, name: str, preset: Callable[[EnvSpec], dict[str, Any]] | None = None, **flags: Any
) -> Settings:
    """Flags > env > file > (an existing run's own settings) > ``preset`` > the environment's spec > defaults.

    A later stage of a run (``distill --name X`` after ``collect --name X``) inherits the settings that decide
    the run's episodes, so they need not be repeated; anything given explicitly still wins (and is checked).
    """
    st = state(ctx)
    resolved = st.resolved(**flags)
    inherited = _run_settings(resolved.settings.workspace, name)
    env_name = resolved.settings.env.name
    if resolved.sources.get("env.name") == "default":
        env_name = inherited.get("env.name", env_name)
    try:
        spec = envs.spec(env_name)
    except UnknownPluginError as exc:
        fail(str(exc))
        raise  # unreachable; fail exits
    layers = {"env.max_steps": spec.max_steps, **(preset(spec) if preset else {}), **inherited}
    unset = {k.replace(".", "__"): v for k, v in layers.items() if resolved.sources.get(k) == "default"}
    if unset:
        resolved = st.resolved(**flags, **unset)
    return resolved.settings


def _run_settings(workspace: Path, name: str) -> dict[str, Any]:
    """The leaves of an existing run's manifest config that must match on resume (secrets excluded)."""
    try:
        manifest = RunFolder.in_workspace(workspace, name).manifest()
    except RunFolderError:
        return {}
    leaves: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict) and value:
                walk(value, f"{prefix}{key}.")
            else:
                leaves[f"{prefix}{key}"] = value

    walk(manifest.get("config", {}), "")
    return {
        k: v
        for k, v in leaves.items()
        if k != "workspace" and k != "llm.api_key" and any(k == m or k.startswith(m + ".") for m in MUST_MATCH)
    }


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    try:
        with Session.from_settings(settings, console=console) as session:
            yield session
    except IncompleteWork as exc:
        fail(exc.summary(_command(resume=True)), code=INCOMPLETE)
    except USER_ERRORS as exc:
        fail(str(exc))
    except OSError as exc:  # an unwritable or missing workspace, a full disk, a missing model file
        if exc.errno is None:
            fail(str(exc))
        where = f" {exc.filename}" if exc.filename else ""
        fail(f"cannot use{where} ({exc.strerror}); choose a writable --workspace (or free some space)")
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]; rerun the same command to resume (finished episodes are kept)")
        raise typer.Exit(130) from None


def _command(*, resume: bool = False) -> str:
    """The command line as given; ``resume`` drops ``--fresh`` (rerunning with it would discard the work done)."""
    args = [a for a in sys.argv[1:] if not (resume and a == "--fresh")]
    return " ".join(["msi-agent", *args])


def _show(folder: RunFolder, *, written_after: float = 0.0) -> None:
    md = folder.path / "results.md"
    if md.is_file() and md.stat().st_mtime >= written_after:
        # raw Markdown, unwrapped: tables stay greppable and nothing gets truncated
        console.print(md.read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True)
    console.print(f"run folder: {folder.path}")


def collect(
    ctx: typer.Context,
    name: str = NAME,
    workers: int | None = WORKERS,
    train: int | None = TRAIN,
    steps: int | None = STEPS,
    seed: int | None = SEED,
    families: list[str] | None = FAMILIES,
    fresh: bool = FRESH,
    examples: int = EXAMPLES,
    act_only: bool = ACT_ONLY,
    history: int | None = HISTORY,
    max_errors: int | None = MAX_ERRORS,
    executor: str | None = EXECUTOR,
) -> None:
    """Play the training tasks (expert demonstrations + one agent attempt each) into the experience pool."""
    flags = _flags(
        workers=workers,
        train=train,
        steps=steps,
        seed=seed,
        families=families,
        max_errors=max_errors,
        executor=executor,
    )
    settings = _settings(ctx, name, **flags)
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command(), fresh=fresh)
        episodes = stages.collect(session, folder, agent=stages.AgentOptions(examples, act_only, history))
        agent = [e for e in episodes if e.source.value == "agent"]
        console.print(
            f"collected {len(episodes)} episodes ({sum(e.success for e in agent)}/{len(agent)} agent "
            f"successes) into {session.pool.path}; run folder {folder.path}"
        )


def distill(
    ctx: typer.Context,
    name: str = NAME,
    namespace: str | None = typer.Option(None, "--namespace", help="insight set (default: NAME)"),
    variant: Variant = typer.Option(Variant.MSI, "--variant", help="msi (three scales) or expel (flat list)"),
    selector: str | None = SELECTOR,
    seed_from: str | None = SEED_FROM,
    order: SeedOrder = typer.Option(SeedOrder.SHUFFLE, "--order", help="seed order: shuffle (seeded) or given"),
    snapshots: bool = SNAPSHOTS,
    seed: int | None = SEED,
    from_run: str | None = typer.Option(
        None,
        "--from-run",
        help="use this run's training episodes (default: "
        "NAME's if it collected any, else every training episode in the pool)",
    ),
    edit_score: float = typer.Option(0.0, "--edit-score", help="score change of EDIT (paper 0; ExpeL's code +1)"),
    family_order: str = typer.Option(
        "",
        "--family-order",
        help="with --order given: comma list of families, seeds fed family by family (domain shift)",
    ),
    max_tokens: int = typer.Option(DEFAULT_MAX_TOKENS, "--max-tokens", min=16, help="cap on one insight-update reply"),
) -> None:
    """Turn training experience into insights: experience selector → one generator update per seed."""
    settings = _settings(ctx, name, **_flags(selector=selector, seed_from=seed_from, seed=seed))
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command())
        source = from_run or (name if session.pool.count(run=name) else None)
        ns = _namespace(namespace, name)
        log = stages.distill(
            session,
            folder,
            namespace=ns,
            variant=variant,
            order=order,
            snapshots=snapshots,
            scoring=ScoringRules(edit=edit_score),
            source_run=source,
            family_order=[f.strip() for f in family_order.split(",") if f.strip()],
            max_tokens=max_tokens,
        )
        counts = log[-1]["counts"] if log else {}
        console.print(f"{len(log)} insight updates into namespace {ns!r}; now {counts}")


def evaluate(
    ctx: typer.Context,
    name: str = NAME,
    namespace: str | None = typer.Option(None, "--namespace", help="MSI insight set (default NAME)"),
    insight_selector: str | None = INSIGHT_SELECTOR,
    baselines: str = BASELINES,
    workers: int | None = WORKERS,
    test: int | None = TEST,
    steps: int | None = STEPS,
    seed: int | None = SEED,
    families: list[str] | None = FAMILIES,
    examples: int = EXAMPLES,
    act_only: bool = ACT_ONLY,
    history: int | None = HISTORY,
    token_budget: int | None = typer.Option(None, "--token-budget", help="vector selector budget (tokens)"),
    max_errors: int | None = MAX_ERRORS,
    ablate: list[str] | None = typer.Option(
        None,
        "--ablate",
        help="also replay the MSI arm without top:K | ids:ID,ID | scale:NAME | key:NAME (one arm per insight or "
        "group; exact pairs for `insights credit`); repeatable",
    ),
    online: bool = typer.Option(
        False,
        "--online",
        help="also an online MSI arm: a copy of the namespace that distils after every test episode (one at a time)",
    ),
    executor: str | None = EXECUTOR,
) -> None:
    """Evaluate on seen and unseen test tasks with the chosen insight selector and the baselines; print the table."""
    settings = _settings(
        ctx,
        name,
        **_flags(
            insight_selector=insight_selector,
            workers=workers,
            test=test,
            steps=steps,
            seed=seed,
            families=families,
            token_budget=token_budget,
            max_errors=max_errors,
            executor=executor,
        ),
    )
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command())
        ns = _namespace(namespace, name)
        conds = experiment.conditions_for(ns, settings.pipeline.insight_selector, _baselines(baselines))
        if ablate:
            conds += _ablation_arms(session, folder, conds[0], ablate)
        if online:
            conds.append(online_arm(session, folder, conds[0]))
        by_condition = stages.evaluate(session, folder, conds, agent=stages.AgentOptions(examples, act_only, history))
        experiment.write_results(session, folder, by_condition, namespace=ns)
        _show(folder)
        session.errors.check()


def run(
    ctx: typer.Context,
    name: str = NAME,
    workers: int | None = WORKERS,
    train: int | None = TRAIN,
    test: int | None = TEST,
    steps: int | None = STEPS,
    seed: int | None = SEED,
    families: list[str] | None = FAMILIES,
    selector: str | None = SELECTOR,
    seed_from: str | None = SEED_FROM,
    insight_selector: str | None = INSIGHT_SELECTOR,
    baselines: str = BASELINES,
    snapshots: bool = SNAPSHOTS,
    fresh: bool = FRESH,
    examples: int = EXAMPLES,
    act_only: bool = ACT_ONLY,
    history: int | None = HISTORY,
    insight_max_tokens: int = typer.Option(
        RUN_INSIGHT_TOKENS, "--insight-max-tokens", min=16, help="cap on one insight-update reply"
    ),
    max_errors: int | None = MAX_ERRORS,
    executor: str | None = EXECUTOR,
) -> None:
    """collect → distill → eval on a small default configuration, then print the results table."""
    flags = _flags(
        workers=workers,
        train=train,
        test=test,
        steps=steps,
        seed=seed,
        families=families,
        selector=selector,
        seed_from=seed_from,
        insight_selector=insight_selector,
        max_errors=max_errors,
        executor=executor,
    )
    settings = _settings(ctx, name, run_preset, **flags)
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command(), fresh=fresh)
        agent = stages.AgentOptions(examples, act_only, history)
        started = time.time()
        try:
            experiment.run_all(
                session,
                folder,
                baselines=_baselines(baselines),
                snapshots=snapshots,
                agent=agent,
                insight_max_tokens=insight_max_tokens,
            )
        finally:  # the tables, partial ones too, when this command got as far as writing them
            _show(folder, written_after=started)


def _namespace(given: str | None, run: str) -> str:
    """``--namespace`` (checked: an empty or path-like name is an error, never the default) or the run's name."""
    return check_namespace(run if given is None else given)


def _ablation_arms(
    session: Session, folder: RunFolder, full: stages.Condition, specs: list[str]
) -> list[stages.Condition]:
    assert full.namespace is not None
    try:
        units = [u for spec in specs for u in ablation.units(spec, session.store, full.namespace)]
    except ablation.AblationError as exc:
        fail(str(exc))
        raise
    p = session.settings.pipeline
    tasks = sum(len(stages.tasks_for(session, split, p.test_tasks)) for split in stages.TEST_SPLITS)
    console.print(ablation.cost_note(folder.episodes(full.name), len(units), tasks))
    return ablation.arms(full, units)


def _baselines(text: str) -> list[str]:
    return [b.strip() for b in text.split(",") if b.strip()]


def register(app: typer.Typer) -> None:
    """Add the four pipeline commands to the root app (one line in ``cli/main.py``)."""
    commands: dict[str, Callable[..., None]] = {"collect": collect, "distill": distill, "eval": evaluate, "run": run}
    for command_name, fn in commands.items():
        app.command(command_name)(fn)
