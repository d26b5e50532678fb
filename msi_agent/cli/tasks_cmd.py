"""`msi-agent tasks …`: any registered environment's task families, and seeded task sets from a short spec.

The environment is the configured one (``--env NAME``, before or after the subcommand; default ``[env] name``);
what a family's columns say comes from its ``EnvSpec.family_details``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from msi_agent.cli.context import console, fail, state
from msi_agent.records import Task

if TYPE_CHECKING:
    from envs.core import Env
    from envs.spec import EnvSpec

app = typer.Typer(help="An environment's task families and seeded task sets (--env NAME).", no_args_is_help=True)


@app.command("families")
def families(ctx: typer.Context) -> None:
    """List the environment's task families with what its spec says about each (e.g. source, rooms, steps)."""
    spec = _spec(ctx)
    try:
        rows = {name: spec.details(name) for name in spec.family_names()}
    except (ImportError, KeyError, ValueError) as exc:
        fail(f"cannot list the families of environment {spec.name!r}: {exc}")
        return
    columns = list(dict.fromkeys(column for details in rows.values() for column in details))
    table = Table("family", *columns)
    for name, details in rows.items():
        table.add_row(name, *(details.get(column, "-") for column in columns))
    console.print(f"{spec.name}: {len(rows)} families", highlight=False)
    console.print(table)


@app.command("sample")
def sample(
    ctx: typer.Context,
    spec_text: str = typer.Argument(
        "n=10",
        metavar="SPEC",
        help="keys families, split, n, seed and categories (if the environment filters by them), e.g. "
        "'families=a,b;split=valid_seen;n=20;seed=1'",
    ),
    as_json: bool = typer.Option(False, "--json", help="print the tasks as JSON lines (full params)"),
    plan: bool = typer.Option(False, "--plan", help="also print each task's expert plan length"),
) -> None:
    """Sample tasks from SPEC and show their instructions (same spec, same tasks, on every machine)."""
    from msi_agent.pipeline.task_query import TaskQueryError, parse_query

    spec = _spec(ctx)
    options = state(ctx).resolved().settings.env.options
    try:
        query = parse_query(spec_text, spec)
        suite = query.suite(spec, options)
        tasks = query.sample(suite)
    except (TaskQueryError, ValueError, RuntimeError, ImportError) as exc:
        fail(str(exc))
        return
    if as_json:
        for task in tasks:
            typer.echo(json.dumps(task.model_dump(mode="json"), sort_keys=True))
        return
    lengths = _plan_lengths(suite.make_env(), tasks) if plan else None
    table = Table("id", "family", spec.scale, "split", "instruction", *(["plan"] if plan else []))
    for i, task in enumerate(tasks):
        row = [task.id, task.family, task.environment, task.split.value, task.instruction]
        table.add_row(*row, *([str(lengths[i])] if lengths is not None else []))
    console.print(table)


def _spec(ctx: typer.Context) -> EnvSpec:
    import envs
    from msi_agent.registry import UnknownPluginError

    name = state(ctx).resolved().settings.env.name
    try:
        return envs.spec(name)
    except (UnknownPluginError, ImportError) as exc:
        fail(str(exc))
        raise  # unreachable; fail exits


def _plan_lengths(env: Env, tasks: list[Task]) -> list[int]:
    """The expert's plan length for each task, played in one instance of the environment."""
    try:
        lengths = []
        for task in tasks:
            env.reset(task)
            lengths.append(len(env.expert_plan()))
        return lengths
    finally:
        env.close()
