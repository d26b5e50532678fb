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
from typing import Any

import typer

from envs.spec import MissingSamplerError
from insights_store.base import StoreError
from msi_agent.cli.context import console, fail, state
from msi_agent.config import Settings, is_episode_setting, masked
from msi_agent.experience.pool import PoolError
from msi_agent.llm import LLMAuthError, LLMConfigError
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.errored import IncompleteWork
from msi_agent.pipeline.namespaces import NamespaceBusyError
from msi_agent.pipeline.records import RunRecordError
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.pipeline.session import Session
from msi_agent.registry import UnknownPluginError

RUN_PRESET = "quick"
"""The preset `msi-agent run` uses unless --preset is given (``msi_agent/presets/quick.toml``)."""
USER_ERRORS = (
    NamespaceBusyError,
    RunRecordError,
    PoolError,
    StoreError,
    LLMConfigError,
    LLMAuthError,
    UnknownPluginError,
    MissingSamplerError,
    ValueError,
)


def _comma_list(text: str | None) -> list[str] | None:
    """A list-valued flag given as comma-separated text (``--baselines none,expel``; ``''`` is the empty list)."""
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


# Options that set a setting are named after it: parameter ``section__field`` is the dotted setting
# ``section.field`` (``_settings`` maps them by name; there is no other table). None means "not given".
NAME = typer.Option("default", "--name", "-n", help="run folder workspace/runs/NAME (rerun to resume)")
FRESH = typer.Option(
    False, "--fresh", help="discard this run's folder, pool episodes and the namespaces it created (ledger) first"
)
PRESET = typer.Option(None, "--preset", help="experiment preset (see `msi-agent presets`)")
WORKERS = typer.Option(None, "--workers", "-w", help="pipeline.workers: episodes in parallel (threads or Ray actors)")
BACKEND = typer.Option(
    None, "--backend", help="pipeline.backend: local (threads here) or ray (actors; pipeline.ray_address, docs/ray.md)"
)
TRAIN = typer.Option(None, "--train-tasks", help="pipeline.train_tasks: training tasks (collect)")
TEST = typer.Option(None, "--test-tasks", help="pipeline.test_tasks: test tasks per split (seen and unseen)")
SEED = typer.Option(None, "--seed", help="pipeline.seed: task sampling and seed order")
NAMESPACE = typer.Option(None, "--namespace", help="pipeline.namespace: insight set (default: the run name)")
FAMILIES = typer.Option(
    None, "--family", "-f", callback=lambda v: v or None, help="env.families: task family (repeat); default all"
)
EXECUTOR = typer.Option(
    None, "--executor", help="agent.executor: react (thought/action/observation) or program (HELPER-style programs)"
)
STEPS = typer.Option(None, "--max-steps", help="agent.max_steps: step limit per episode")
EXAMPLES = typer.Option(None, "--examples", min=0, help="agent.examples: few-shot expert demonstrations")
ACT_ONLY = typer.Option(None, "--act-only/--react", help="agent.act_only: actions without thoughts (Act)")
HISTORY = typer.Option(None, "--history", min=0, help="agent.history_window: steps kept in the prompt")
VARIANT = typer.Option(None, "--variant", help="distill.variant: msi (three scales) or expel (flat list)")
SELECTOR = typer.Option(None, "--selector", help="distill.selector: success, pair, same-task")
SEED_FROM = typer.Option(None, "--seed-from", help="distill.seed_from: agent, expert or both")
ORDER = typer.Option(
    None,
    "--seed-order",
    "--order",
    help="distill.seed_order: shuffle (seeded), given, families:a,b or rooms:Kitchen,LivingRoom,... (categories)",
)
SCALES = typer.Option(
    None, "--scales", callback=_comma_list, help="distill.scales: comma list of general, environment, subtask"
)
EXPEL_SEEDS = typer.Option(None, "--expel-seeds", help="distill.expel_seeds: msi (MSI's seeds) or same-task")
EXPEL_MAX_RULES = typer.Option(
    None, "--expel-max-rules", min=1, help="distill.expel_max_rules: ExpeL's list cap (max_num_rules)"
)
SNAPSHOTS = typer.Option(None, "--snapshots/--no-snapshots", help="distill.snapshots: copy the set after each update")
EDIT_SCORE = typer.Option(None, "--edit-score", help="distill.edit_score: score change of EDIT (paper 0, ExpeL +1)")
INSIGHT_TOKENS = typer.Option(None, "--insight-max-tokens", min=16, help="distill.max_tokens: cap on one update reply")
FROM_RUN = typer.Option(None, "--from-run", help="distill.from_run: use this run's training episodes")
INSIGHT_SELECTOR = typer.Option(
    None, "--insight-selector", help="eval.insight_selector: hashmap, vector, general-only, general-environment, all"
)
BASELINES = typer.Option(
    None,
    "--baselines",
    callback=_comma_list,
    help="eval.baselines: comma list of none, expel, msi-vector, msi-general-only, msi-success, ... (or '')",
)
MAX_ERRORS = typer.Option(
    None, "--max-errors", min=1, help="pipeline.max_errors: stop after this many errored episodes (LLM failures)"
)
INCOMPLETE = 3
"""Exit status of a command that left errored work (rerun it to resume); 2 is a usage error, 1 a failure."""
ABLATE = typer.Option(
    None,
    "--ablate",
    callback=lambda v: v or None,
    help="eval.ablate: also replay the MSI arm without top:K | ids:ID,ID | scale:NAME | key:NAME (one arm per "
    "insight or group; exact pairs for `insights credit`); repeatable",
)
ONLINE = typer.Option(
    None, "--online/--offline", help="eval.online: also an online MSI arm that distils after every test episode"
)
TOKEN_BUDGET = typer.Option(None, "--token-budget", help="eval.token_budget: vector selector budget (tokens)")


def _settings(ctx: typer.Context, name: str, preset: str | None, params: dict[str, Any]) -> Settings:
    """Flags > env > file > preset > (the run's own settings) > defaults.

    ``params`` are a command's arguments; those named ``section__field`` are settings. A later command on a run
    inherits the settings that decide its episodes, and the distill settings of the namespace it fills, so they
    need not be repeated; anything given explicitly still wins (and is checked against the run).
    """
    st = state(ctx)
    flags = {k.replace("__", "."): v for k, v in params.items() if "__" in k and v is not None}
    resolved = st.resolved(flags, preset=preset)
    inherited = _run_settings(resolved.settings, name)
    if inherited:
        resolved = st.resolved(flags, preset=preset, inherited=(f"run {name}", inherited))
    return resolved.settings


def _run_settings(settings: Settings, name: str) -> dict[str, Any]:
    """An existing run's episode-defining settings and its namespace's distill settings, as dotted leaves."""
    try:
        manifest = RunFolder.in_workspace(settings.workspace, name).manifest()
    except RunRecordError:
        return {}  # no run yet, or one ``start`` will refuse with the reason
    leaves = {k: v for k, v in masked(manifest.settings).items() if is_episode_setting(k) and k != "workspace"}
    distill = manifest.distills.get(settings.pipeline.namespace or name)
    if distill is not None:
        leaves |= {f"distill.{k}": v for k, v in distill.model_dump().items()}
    return leaves


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
    fresh: bool = FRESH,
    preset: str | None = PRESET,
    pipeline__workers: int | None = WORKERS,
    pipeline__backend: str | None = BACKEND,
    pipeline__train_tasks: int | None = TRAIN,
    pipeline__seed: int | None = SEED,
    env__families: list[str] | None = FAMILIES,
    agent__executor: str | None = EXECUTOR,
    agent__max_steps: int | None = STEPS,
    agent__examples: int | None = EXAMPLES,
    agent__act_only: bool | None = ACT_ONLY,
    agent__history_window: int | None = HISTORY,
    pipeline__max_errors: int | None = MAX_ERRORS,
) -> None:
    """Play the training tasks (expert demonstrations + one agent attempt each) into the experience pool."""
    settings = _settings(ctx, name, preset, locals())
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command(), fresh=fresh)
        episodes = stages.collect(session, folder)
        agent = [e for e in episodes if e.source.value == "agent"]
        console.print(
            f"collected {len(episodes)} episodes ({sum(e.success for e in agent)}/{len(agent)} agent "
            f"successes) into {session.pool.path}; run folder {folder.path}"
        )


def distill(
    ctx: typer.Context,
    name: str = NAME,
    preset: str | None = PRESET,
    pipeline__namespace: str | None = NAMESPACE,
    pipeline__seed: int | None = SEED,
    distill__variant: str | None = VARIANT,
    distill__selector: str | None = SELECTOR,
    distill__seed_from: str | None = SEED_FROM,
    distill__seed_order: str | None = ORDER,
    distill__scales: str | None = SCALES,
    distill__expel_seeds: str | None = EXPEL_SEEDS,
    distill__expel_max_rules: int | None = EXPEL_MAX_RULES,
    distill__snapshots: bool | None = SNAPSHOTS,
    distill__edit_score: float | None = EDIT_SCORE,
    distill__max_tokens: int | None = INSIGHT_TOKENS,
    distill__from_run: str | None = FROM_RUN,
    pipeline__max_errors: int | None = MAX_ERRORS,
) -> None:
    """Turn training experience into insights: experience selector → one generator update per seed."""
    settings = _settings(ctx, name, preset, locals())
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command())
        updates = stages.distill(session, folder)
        ns = stages.namespace_of(settings, folder)
        counts = updates[-1].counts if updates else {}
        console.print(f"{len(updates)} insight updates into namespace {ns!r}; now {counts}")


def evaluate(
    ctx: typer.Context,
    name: str = NAME,
    preset: str | None = PRESET,
    pipeline__namespace: str | None = NAMESPACE,
    pipeline__workers: int | None = WORKERS,
    pipeline__backend: str | None = BACKEND,
    pipeline__test_tasks: int | None = TEST,
    pipeline__seed: int | None = SEED,
    env__families: list[str] | None = FAMILIES,
    agent__executor: str | None = EXECUTOR,
    agent__max_steps: int | None = STEPS,
    agent__examples: int | None = EXAMPLES,
    agent__act_only: bool | None = ACT_ONLY,
    agent__history_window: int | None = HISTORY,
    eval__insight_selector: str | None = INSIGHT_SELECTOR,
    eval__baselines: str | None = BASELINES,
    eval__token_budget: int | None = TOKEN_BUDGET,
    eval__ablate: list[str] | None = ABLATE,
    eval__online: bool | None = ONLINE,
    pipeline__max_errors: int | None = MAX_ERRORS,
) -> None:
    """Evaluate on seen and unseen test tasks with the chosen insight selector and the baselines; print the table."""
    settings = _settings(ctx, name, preset, locals())
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command())
        by_arm = stages.evaluate(session, folder, experiment.eval_arms(session, folder))
        experiment.write_results(session, folder, by_arm)
        _show(folder)
        session.errors.check()


def run(
    ctx: typer.Context,
    name: str = NAME,
    fresh: bool = FRESH,
    preset: str = typer.Option(RUN_PRESET, "--preset", help="experiment preset (see `msi-agent presets`)"),
    pipeline__workers: int | None = WORKERS,
    pipeline__backend: str | None = BACKEND,
    pipeline__train_tasks: int | None = TRAIN,
    pipeline__test_tasks: int | None = TEST,
    pipeline__seed: int | None = SEED,
    env__families: list[str] | None = FAMILIES,
    agent__executor: str | None = EXECUTOR,
    agent__max_steps: int | None = STEPS,
    agent__examples: int | None = EXAMPLES,
    agent__act_only: bool | None = ACT_ONLY,
    agent__history_window: int | None = HISTORY,
    distill__selector: str | None = SELECTOR,
    distill__seed_from: str | None = SEED_FROM,
    distill__seed_order: str | None = ORDER,
    distill__scales: str | None = SCALES,
    distill__expel_seeds: str | None = EXPEL_SEEDS,
    distill__expel_max_rules: int | None = EXPEL_MAX_RULES,
    distill__snapshots: bool | None = SNAPSHOTS,
    distill__max_tokens: int | None = INSIGHT_TOKENS,
    eval__insight_selector: str | None = INSIGHT_SELECTOR,
    eval__baselines: str | None = BASELINES,
    pipeline__max_errors: int | None = MAX_ERRORS,
) -> None:
    """collect → distill → eval (a small preset unless --preset is given), then print the results table."""
    settings = _settings(ctx, name, preset, locals())
    with _session(settings) as session:
        folder = experiment.open_run(session, name, command=_command(), fresh=fresh)
        started = time.time()
        try:
            experiment.run_all(session, folder)
        finally:  # the tables, partial ones too, when this command got as far as writing them
            _show(folder, written_after=started)


def register(app: typer.Typer) -> None:
    """Add the four pipeline commands to the root app (one line in ``cli/main.py``)."""
    commands: dict[str, Callable[..., None]] = {"collect": collect, "distill": distill, "eval": evaluate, "run": run}
    for command_name, fn in commands.items():
        app.command(command_name)(fn)
