"""`msi-agent config` and `msi-agent presets`: the resolved settings tree and the experiment presets over it."""

from __future__ import annotations

import typer
from rich.table import Table

from msi_agent import presets
from msi_agent.cli.context import console, fail, state
from msi_agent.config import is_episode_setting, masked


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


def list_presets(ctx: typer.Context) -> None:
    """List the experiment presets (`--preset NAME`): built-in ones and the workspace's own (workspace/presets)."""
    workspace = state(ctx).resolved().settings.workspace
    try:
        found = presets.available(workspace)
    except presets.PresetError as exc:
        fail(str(exc))
    table = Table(title="msi-agent presets")
    for column in ("preset", "from", "description", "reproduces"):
        table.add_column(column)
    for p in found:
        table.add_row(p.name, "built-in" if p.builtin else str(p.path), p.info.description, p.info.reproduces or "–")
    console.print(table)
    console.print(
        f"A preset is a partial msi.toml layered between the defaults and msi.toml; add your own as "
        f"{presets.user_dir(workspace)}/NAME.toml. `msi-agent config --preset NAME` shows what it sets."
    )
