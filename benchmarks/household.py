"""Speed and size of the built-in household simulator (envs.make("household")).

Measures, over seeded tasks of every family:
  steps/s    random admissible commands through HouseholdEnv.step (the admissible list is rebuilt every step
             and goal conditions re-checked, as an agent sees it);
  reset      HouseholdEnv.reset latency (median and p95) and resets/s;
  memory     bytes allocated per live environment (tracemalloc, many envs each reset to a task, scene data
             already loaded, so shared tables are not counted);
  expert     expert_plan latency (median).
Targets (issue 3, this 2-core machine): >= 10,000 steps/s, median reset <= 2 ms, <= 1 MB per live environment.
``--check`` exits 1 when a target is missed; ``--json`` prints the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc

from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.records import Task

TARGET_STEPS_PER_S = 10_000
TARGET_RESET_MS = 2.0
TARGET_BYTES_PER_ENV = 1_000_000


def steps_per_second(tasks: list[Task], steps: int, seed: int) -> float:
    env = HouseholdEnv(max_steps=10**9)
    rng = random.Random(seed)
    done_steps, i = 0, 0  # the time includes one reset per 100 steps or fewer
    started = time.perf_counter()
    while done_steps < steps:
        obs = env.reset(tasks[i % len(tasks)])
        i += 1
        for _ in range(100):
            obs = env.step(rng.choice(obs.admissible))
            done_steps += 1
            if obs.ended:
                break
    return done_steps / (time.perf_counter() - started)


def reset_times(tasks: list[Task]) -> list[float]:
    env = HouseholdEnv()
    out = []
    for task in tasks:
        started = time.perf_counter()
        env.reset(task)
        out.append(time.perf_counter() - started)
    return out


def bytes_per_env(tasks: list[Task], count: int) -> float:
    HouseholdEnv().reset(tasks[0])  # load scene data and caches first
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    live = []
    for i in range(count):
        env = HouseholdEnv()
        env.reset(tasks[i % len(tasks)])
        live.append(env)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / len(live)


def expert_times(tasks: list[Task]) -> list[float]:
    env = HouseholdEnv()
    out = []
    for task in tasks:
        env.reset(task)
        started = time.perf_counter()
        env.expert_plan()
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=380, help="tasks to sample (default 380, 20 per family)")
    parser.add_argument("--steps", type=int, default=50_000, help="random steps for the steps/s figure")
    parser.add_argument("--envs", type=int, default=200, help="live environments for the memory figure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    tasks = sample_tasks(TaskSpec(n=args.tasks, seed=args.seed))
    sampling_s = time.perf_counter() - started
    sps = steps_per_second(tasks, args.steps, args.seed)
    resets = reset_times(tasks)
    memory = bytes_per_env(tasks, args.envs)
    expert = expert_times(tasks[: min(len(tasks), 100)])
    figures = {
        "steps_per_s": round(sps),
        "reset_median_ms": round(statistics.median(resets) * 1000, 3),
        "reset_p95_ms": round(sorted(resets)[int(0.95 * (len(resets) - 1))] * 1000, 3),
        "resets_per_s": round(len(resets) / sum(resets)),
        "bytes_per_env": round(memory),
        "expert_median_ms": round(statistics.median(expert) * 1000, 2),
        "tasks_sampled_per_s": round(len(tasks) / sampling_s),
    }
    ok = sps >= TARGET_STEPS_PER_S and figures["reset_median_ms"] <= TARGET_RESET_MS and memory <= TARGET_BYTES_PER_ENV
    if args.json:
        print(json.dumps(figures | {"targets_met": ok}))
    else:
        rows = [
            ("steps/s (with admissible commands)", f"{figures['steps_per_s']:,}", f">= {TARGET_STEPS_PER_S:,}"),
            (
                "reset median / p95 (ms)",
                f"{figures['reset_median_ms']} / {figures['reset_p95_ms']}",
                f"median <= {TARGET_RESET_MS}",
            ),
            ("resets/s", f"{figures['resets_per_s']:,}", ""),
            ("memory per live env (bytes)", f"{figures['bytes_per_env']:,}", f"<= {TARGET_BYTES_PER_ENV:,}"),
            ("expert plan median (ms)", str(figures["expert_median_ms"]), ""),
            ("tasks sampled/s", f"{figures['tasks_sampled_per_s']:,}", ""),
        ]
        for label, value, target in rows:
            print(f"{label:<36} {value:>16}   {'target ' + target if target else ''}")
        print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
