"""`msi-agent ai2thor check`: start the configured AI2-THOR player, optionally let the expert play a few live tasks.

The ``ai2thor`` ``EnvSpec`` names this app (``commands``), so msi_agent's CLI mounts it under the environment's name
without knowing it. Options come from ``[env.options]`` (``MSI_ENV__OPTIONS__*``) and are overridden by the flags
here, so the same settings a run will use are the ones checked. Start-up problems print as one line saying what to
install or set. Importing this module does not import ``ai2thor``.
"""

from __future__ import annotations

import time
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from msi_agent.cli.context import console, fail, state

app = typer.Typer(help="Check the AI2-THOR backend (build, display, GPU) before a run.", no_args_is_help=True)


@app.command("check")
def check(
    ctx: typer.Context,
    executable: str | None = typer.Option(None, "--executable", help="player build (AI2THOR_LOCAL_EXECUTABLE)"),
    platform: str | None = typer.Option(None, "--platform", help="Linux64 (X display) or CloudRendering (headless)"),
    x_display: str | None = typer.Option(None, "--x-display", help="X display such as :0 (Linux64)"),
    headless: bool | None = typer.Option(None, "--headless/--no-headless", help="Unity -batchmode -nographics"),
    gpu_device: int | None = typer.Option(None, "--gpu-device", help="CUDA device index (CloudRendering)"),
    scene: str | None = typer.Option(None, "--scene", help="start-up scene, e.g. FloorPlan1"),
    start_timeout: float | None = typer.Option(None, "--start-timeout", help="seconds to wait for the player"),
    tasks: int = typer.Option(0, "--tasks", min=0, help="sample this many live tasks and let the expert play them"),
    seed: int = typer.Option(0, "--seed", help="task sampling seed"),
) -> None:
    """Start the player once and report what it loaded (and, with --tasks, whether the expert wins)."""
    from envs.thor.options import ThorOptions
    from envs.thor.startup import ThorStartupError
    from envs.thor.world import ThorWorld

    flags = {
        "local_executable_path": executable,
        "platform": platform,
        "x_display": x_display,
        "headless": headless,
        "gpu_device": gpu_device,
        "scene": scene,
        "server_start_timeout": start_timeout,
    }
    settings = state(ctx).resolved().settings
    options: dict[str, Any] = dict(settings.env.options) | {k: v for k, v in flags.items() if v is not None}
    try:
        thor_options = ThorOptions.from_kwargs(**options)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"invalid AI2-THOR options (flags or env.options): {problems}")
        return
    started = time.perf_counter()
    world = ThorWorld(thor_options)
    try:
        meta = world.controller.metadata
        elapsed = time.perf_counter() - started
        table = Table(title="AI2-THOR check", show_header=False)
        table.add_row("build", thor_options.local_executable_path or f"download/cache ({thor_options.platform})")
        table.add_row("start-up", f"{elapsed:.1f} s")
        table.add_row("scene", f"{meta['sceneName']}: {len(meta['objects'])} objects")
        if tasks:
            table.add_row("expert", _expert_games(world, tasks, seed))
        console.print(table)
    except ThorStartupError as exc:
        fail(str(exc))
    except (RuntimeError, ValueError) as exc:
        fail(f"the AI2-THOR player started but failed while checking: {exc}", code=1)
    finally:
        world.close()


def _expert_games(world: Any, n: int, seed: int) -> str:
    from envs.tasks import TaskSpec
    from envs.thor.env import ThorEnv
    from envs.thor.tasks import sample_tasks

    live = sample_tasks(TaskSpec(n=n, seed=seed), world)
    env = ThorEnv(world=world)
    won, steps, started = 0, 0, time.perf_counter()
    for task in live:
        env.reset(task)
        info: dict[str, Any] = {}
        for command in env.expert_plan():
            obs = env.step(command)
            info, steps = obs.info, steps + 1
            if obs.ended:
                break
        won += bool(info.get("won"))
    per_step = (time.perf_counter() - started) / max(steps, 1) * 1000
    return f"won {won}/{len(live)} live tasks ({steps} commands, {per_step:.0f} ms per command incl. resets)"
