"""`msi-agent tasks …`: list the household task families and sample seeded task sets from a short spec."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from msi_agent.cli.context import console, fail
from msi_agent.records import Task

app = typer.Typer(help="Household task families and seeded task sets.", no_args_is_help=True)


@app.command("families")
def families() -> None:
    """List the task families with their source benchmark, the official definition of their goal, and room types."""
    from envs.household.families import family, family_names

    table = Table("family", "source", "definition", "rooms", "max steps")
    for name in family_names():
        f = family(name)
        rooms = ", ".join(sorted(r.value for r in f.environments))
        table.add_row(name, f.source, f.definition or "-", rooms, str(f.max_steps))
    console.print(table)


@app.command("sample")
def sample(
    spec: str = typer.Argument(
        "n=10", help="e.g. 'families=toast,coffee;split=valid_seen;n=20;seed=1;environments=Kitchen'"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the tasks as JSON lines (full params)"),
    plan: bool = typer.Option(False, "--plan", help="also print each task's expert plan length"),
) -> None:
    """Sample tasks from SPEC and show their instructions (same spec, same tasks, on every machine)."""
    from envs.tasks import TaskSpecError, parse_spec, sample_tasks

    try:
        tasks = sample_tasks(parse_spec(spec))
    except TaskSpecError as exc:
        fail(str(exc))
        return
    if as_json:
        for task in tasks:
            typer.echo(json.dumps(task.model_dump(mode="json"), sort_keys=True))
        return
    table = Table("id", "family", "room", "split", "instruction", *(["plan"] if plan else []))
    for task in tasks:
        row = [task.id, task.family, task.environment, task.split.value, task.instruction]
        if plan:
            row.append(str(_plan_length(task)))
        table.add_row(*row)
    console.print(table)


def _plan_length(task: Task) -> int:
    from envs.household.env import HouseholdEnv

    with HouseholdEnv() as env:
        env.reset(task)
        return len(env.expert_plan())
