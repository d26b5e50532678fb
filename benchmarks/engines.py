"""The household simulator against the real ALFWorld engine, on the same task instances, in one run.

For seeded household tasks of ALFWorld's six types (the ALFWorld games are generated from them):
  steps/s    random admissible commands through each engine's ``step`` (admissible list rebuilt every step);
  reset      first reset (ALFWorld: game load, PDDL translation) and a repeat reset of the same task, medians;
  memory     resident memory added by one live environment reset to a task (RSS delta averaged over a few
             environments; ALFWorld's state lives largely in C, so tracemalloc would miss it);
  expert     plan latency from the initial state (ALFWorld: Fast Downward, capped by --planner-timeout).
Each figure is printed with its household/ALFWorld ratio. Target: steps/s ratio >= 100.
``--check`` exits 1 when the target is missed; ``--json`` prints one JSON object. Needs the alfworld extra
(``pip install -e '.[alfworld]'``); without it the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from envs.alfworld.tasks import AlfredTaskType
from envs.core import Env
from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.records import Task

TARGET_STEP_RATIO = 100.0


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def steps_per_second(env: Env, tasks: list[Task], steps_per_task: int, seed: int) -> float:
    """Random admissible commands; resets are not timed (they are measured separately)."""
    rng = random.Random(seed)
    elapsed, done_steps = 0.0, 0
    for task in tasks:
        obs = env.reset(task)
        started = time.perf_counter()
        for _ in range(steps_per_task):
            obs = env.step(rng.choice(obs.admissible))
            done_steps += 1
            if obs.ended:
                break
        elapsed += time.perf_counter() - started
    return done_steps / elapsed


def reset_times(make: Callable[[], Env], tasks: list[Task]) -> tuple[list[float], list[float]]:
    """(first reset of each task in a fresh environment, repeat reset of the same task)."""
    first, again = [], []
    for task in tasks:
        env = make()
        started = time.perf_counter()
        env.reset(task)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        env.reset(task)
        again.append(time.perf_counter() - started)
        env.close()
    return first, again


def bytes_per_env(make: Callable[[], Env], tasks: list[Task], count: int) -> float:
    warm = make()  # imports, scene data, caches; kept alive so later environments cannot reuse its memory
    warm.reset(tasks[0])
    gc.collect()
    before = _rss_bytes()
    live = []
    for i in range(count):
        env = make()
        env.reset(tasks[i % len(tasks)])
        live.append(env)
    gc.collect()
    grown = _rss_bytes() - before
    for env in [warm, *live]:
        env.close()
    return grown / len(live)


def expert_times(env: Env, tasks: list[Task]) -> list[float]:
    out = []
    for task in tasks:
        env.reset(task)
        started = time.perf_counter()
        with contextlib.suppress(TimeoutError):  # a planner timeout counts at the limit
            env.expert_plan()
        out.append(time.perf_counter() - started)
    return out


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=12, help="task instances, dealt over the 6 types (default 12)")
    parser.add_argument("--steps", type=int, default=20, help="random steps per task and engine (default 20)")
    parser.add_argument(
        "--envs",
        type=int,
        default=3,
        help="live ALFWorld environments for memory (default 3; "
        "the household figure uses 50 times as many, its environments being small)",
    )
    parser.add_argument("--planner-timeout", type=float, default=30.0, help="cap on ALFWorld's planner (s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 when the steps/s ratio is below target")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from envs.alfworld.engine import AlfworldEnv

    reason = AlfworldEnv.unavailable_reason()
    if reason:
        print(f"skipped: {reason}")
        return 0
    tasks = sample_tasks(TaskSpec(families=[t.value for t in AlfredTaskType], n=args.tasks, seed=args.seed))
    engines: dict[str, Callable[[], Env]] = {
        "household": lambda: HouseholdEnv(max_steps=10**9),
        "alfworld": lambda: AlfworldEnv(planner_timeout=args.planner_timeout),
    }
    figures: dict[str, dict[str, float]] = {}
    for name, make in engines.items():
        env = make()
        sps = steps_per_second(env, tasks, args.steps, args.seed)
        expert = expert_times(env, tasks)
        env.close()
        first, again = reset_times(make, tasks)
        figures[name] = {
            "steps_per_s": round(sps, 1),
            "first_reset_ms": _median_ms(first),
            "repeat_reset_ms": _median_ms(again),
            "bytes_per_env": round(bytes_per_env(make, tasks, args.envs * (50 if name == "household" else 1))),
            "expert_ms": _median_ms(expert),
        }
    h, a = figures["household"], figures["alfworld"]
    ratios = {
        "steps_per_s": h["steps_per_s"] / a["steps_per_s"],
        "first_reset_ms": a["first_reset_ms"] / max(h["first_reset_ms"], 1e-3),
        "repeat_reset_ms": a["repeat_reset_ms"] / max(h["repeat_reset_ms"], 1e-3),
        "bytes_per_env": a["bytes_per_env"] / max(h["bytes_per_env"], 1.0),
        "expert_ms": a["expert_ms"] / max(h["expert_ms"], 1e-3),
    }
    ok = ratios["steps_per_s"] >= TARGET_STEP_RATIO
    if args.json:
        print(json.dumps({"household": h, "alfworld": a, "ratio": {k: round(v, 1) for k, v in ratios.items()},
                          "tasks": len(tasks), "target_met": ok}))  # fmt: skip
    else:
        labels = {"steps_per_s": "steps/s (random admissible)", "first_reset_ms": "first reset, median (ms)",
                  "repeat_reset_ms": "repeat reset, median (ms)", "bytes_per_env": "memory per live env (bytes)",
                  "expert_ms": "expert plan, median (ms)"}  # fmt: skip
        print(f"{len(tasks)} instances of ALFWorld's 6 types, same tasks in both engines")
        print(f"{'':<32} {'household':>14} {'alfworld':>14} {'household advantage':>20}")
        for key, label in labels.items():
            print(f"{label:<32} {h[key]:>14,.1f} {a[key]:>14,.1f} {ratios[key]:>19,.0f}x")
        print(f"target: steps/s ratio >= {TARGET_STEP_RATIO:.0f}x -> {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
