"""`msi-agent alfworld crosscheck`: play household tasks in the household simulator and in ALFWorld, compare.

The ``alfworld`` ``EnvSpec`` names this app (``commands``), so msi_agent's CLI mounts it under the environment's name
without knowing it. Importing this module loads neither alfworld nor textworld.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from msi_agent.cli.context import console, fail

app = typer.Typer(help="The real ALFWorld engine: cross-check it against the household simulator.",
                  no_args_is_help=True)  # fmt: skip


@app.command("crosscheck")
def crosscheck(
    n: int = typer.Option(200, "--n", min=1, help="number of household task instances (dealt over the 6 types)"),
    seed: int = typer.Option(0, "--seed", help="task sampling seed"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="parallel processes (default: cores, max 4)"),
    planner_timeout: float = typer.Option(30.0, "--planner-timeout", min=1.0, help="seconds for ALFWorld's planner"),
    json_out: Path | None = typer.Option(None, "--json", help="write the full report (every step difference) here"),
    quiet: bool = typer.Option(False, "--quiet", help="no per-instance progress lines"),
) -> None:
    """Play N household tasks in both engines: plans must win across engines, steps must agree (see
    docs/alfworld-crosscheck.md). Exits 1 on any unexplained difference."""
    from envs.alfworld.engine import AlfworldEnv

    reason = AlfworldEnv.unavailable_reason()
    if reason:
        fail(reason)
    from envs.alfworld import crosscheck as cc
    from envs.alfworld.divergences import KNOWN

    def progress(r: cc.InstanceReport) -> None:
        if not quiet:
            mark = "[green]ok[/]" if r.ok else "[red]DIFF[/]"
            console.print(f"{mark} {r.task_id} ({r.seconds:.1f} s)", highlight=False)

    tasks = cc.instances(n, seed)
    report = cc.run(tasks, workers=workers or cc.default_workers(), planner_timeout=planner_timeout,
                    progress=progress)  # fmt: skip
    if json_out is not None:
        json_out.write_text(report.model_dump_json(indent=1))
    coverage = Table("task type", "room", "instances", title="coverage")
    for (family, room), count in sorted(report.coverage().items()):
        coverage.add_row(family, room, str(count))
    console.print(coverage)
    known = Table("known divergence", "occurrences", "reason", title="explained differences")
    counts = report.known()
    for rule in KNOWN:
        known.add_row(rule.key, str(counts.get(rule.key, 0)), rule.reason)
    console.print(known)
    unexplained = list(report.unexplained())
    for inst, m in unexplained[:20]:
        console.print(f"[red]unexplained[/] {inst.task_id} step {m.step} `{m.command}` ({m.kind}):\n"
                      f"  household: {m.household}\n  alfworld:  {m.alfworld}", highlight=False)  # fmt: skip
    a_to_h = [r for r in report.instances if r.alfworld_plan_wins_in_household]
    console.print(
        f"{report.passed}/{len(report.instances)} instances agree; ALFWorld plans won in the household simulator "
        f"{len(a_to_h)} times, household plans won in ALFWorld "
        f"{sum(r.household_plan_wins_in_alfworld for r in report.instances)} times; "
        f"{report.planner_timeouts} planner timeouts; {len(unexplained)} unexplained differences; "
        f"{report.seconds:.0f} s with {report.workers} workers", highlight=False,
    )  # fmt: skip
    if report.passed != len(report.instances):
        raise typer.Exit(1)
