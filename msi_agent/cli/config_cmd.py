"""`msi-agent config` and `msi-agent presets`: the resolved settings tree and the experiment presets over it."""

from __future__ import annotations

import typer
from rich.table import Table

from msi_agent import presets
from msi_agent.cli.context import console, fail, state
from msi_agent.config import is_episode_setting, masked
from msi_agent.pipeline import estimate


def show_config(
    ctx: typer.Context,
    preset: str | None = typer.Option(None, "--preset", help="show the settings with this preset applied"),
) -> None:
    """Print every setting with its value and source (secrets masked); `*` marks those that decide a run's episodes
    (a resumed run refuses other values)."""
    resolved = state(ctx).resolved(preset=preset)
    table = Table(title="msi-agent configuration")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("source")
    for leaf, value in masked(resolved.settings).items():
        mark = " *" if is_episode_setting(leaf) else ""
        table.add_row(leaf + mark, str(value), resolved.sources.get(leaf, "default"))
    console.print(table)
    console.print("* decides a run's episodes: resuming a run with another value is refused")


def list_presets(
    ctx: typer.Context,
    model: str | None = typer.Option(
        None, "--model", help="count tokens for this LLM spec (default: llm.spec); `local` uses its own tokenizer"
    ),
) -> None:
    """List the experiment presets (`--preset NAME`): built-in ones and the workspace's own (workspace/presets),
    the paper's table each reproduces, its task counts, and its LLM calls and prompt tokens measured on a small
    offline sample of it (scaled to its task counts)."""
    settings = state(ctx).resolved().settings
    workspace = settings.workspace
    try:
        found = presets.available(workspace)
    except presets.PresetError as exc:
        fail(str(exc))
    spec = model or settings.llm.spec
    counter = estimate.token_counter(spec)
    table = Table(title=f"msi-agent presets (tokens for {spec})")
    for column in ("preset", "from", "reproduces / description", "tasks", "LLM calls", "prompt tokens"):
        table.add_column(column)
    how = ""
    for p in found:
        tree = state(ctx).resolved(preset=p.name).settings
        tasks = (
            f"{tree.pipeline.train_tasks} train, {tree.pipeline.test_tasks} seen + {tree.pipeline.test_tasks} unseen"
        )
        try:
            measured = estimate.measure(tree)
        except Exception as exc:  # an environment or part this machine lacks: say so in the row
            calls, tokens = "–", f"not measured: {str(exc).splitlines()[0][:80]}"
        else:
            count, how = measured.tokens(counter)
            calls, tokens = f"{sum(measured.calls.values()):,.0f}", f"{count:,}"
        origin = "built-in" if p.builtin else str(p.path)
        table.add_row(p.name, origin, p.info.reproduces or p.info.description, tasks, calls, tokens)
    console.print(table)
    console.print(
        f"Calls and prompt tokens are measured offline on {estimate.SAMPLE_TRAIN} training tasks and "
        f"one test task per split (half of the episodes running to the step limit), scaled to the task counts; "
        f"tokens by {how or 'no measurement'}. A preset is a partial msi.toml layered between the defaults and "
        f"msi.toml; add your own as {presets.user_dir(workspace)}/NAME.toml. `msi-agent config --preset NAME` shows "
        "what it sets."
    )
