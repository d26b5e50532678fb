"""``check_env``: does an environment keep the ``envs.core.Env`` contract? (after Gymnasium's env checker)

Checks, per task: reset answers an ``Observation`` with text, admissible commands and the required info keys,
reward 0.0 and not ended; every observation has a float reward and bool ``terminated``/``truncated`` (never both;
a won task is terminated);
a nonsense command answers "Nothing happens." and changes nothing; a seeded random rollout gives the same
observations, rewards and infos on two instances (or twice on one); the expert's plan is admissible step by step
and wins with full goal-condition progress; ``close`` may be called twice. Raises ``EnvCheckError`` naming the task,
the step and what differed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from envs.core import NOTHING_HAPPENS, Env, Observation
from msi_agent.records import Task

REQUIRED_INFO = {"won": bool, "gc_satisfied": int, "gc_total": int}
NONSENSE = "xyzzy the flux capacitor"


class EnvCheckError(AssertionError):
    """The environment broke the contract; the message says where."""


def _check_observation(obs: object, where: str) -> Observation:
    if not isinstance(obs, Observation):
        raise EnvCheckError(f"{where}: expected an envs.core.Observation, got {type(obs).__name__}")
    if not isinstance(obs.text, str) or not obs.text:
        raise EnvCheckError(f"{where}: observation text must be a non-empty string")
    if not isinstance(obs.admissible, list) or not all(isinstance(c, str) for c in obs.admissible):
        raise EnvCheckError(f"{where}: admissible must be a list of strings")
    if len(set(obs.admissible)) != len(obs.admissible):
        raise EnvCheckError(f"{where}: admissible commands repeat")
    for key, kind in REQUIRED_INFO.items():
        if not isinstance(obs.info.get(key), kind):
            raise EnvCheckError(f"{where}: info[{key!r}] must be a {kind.__name__}, got {obs.info.get(key)!r}")
    if not 0 <= obs.info["gc_satisfied"] <= obs.info["gc_total"]:
        raise EnvCheckError(f"{where}: need 0 <= gc_satisfied <= gc_total, got {obs.info}")
    if not isinstance(obs.reward, float) or not isinstance(obs.terminated, bool) or not isinstance(obs.truncated, bool):
        raise EnvCheckError(f"{where}: reward must be a float, terminated and truncated bools, got {obs!r}")
    if obs.terminated and obs.truncated:
        raise EnvCheckError(f"{where}: an episode ends either terminated or truncated, not both")
    if obs.info["won"] and not obs.terminated:
        raise EnvCheckError(f"{where}: a won task is a terminal state; set terminated=True")
    return obs


def _rollout(env: Env, task: Task, steps: int, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    obs = _check_observation(env.reset(task), f"{task.id} reset")
    if obs.ended or obs.reward != 0.0:
        raise EnvCheckError(f"{task.id} reset: a new episode has reward 0.0 and is neither terminated nor truncated")
    trace: list[tuple[Any, ...]] = [(obs.text, tuple(obs.admissible), sorted(obs.info.items()))]
    for i in range(steps):
        if not obs.admissible:
            break
        command = rng.choice(obs.admissible)
        obs = _check_observation(env.step(command), f"{task.id} step {i} ({command!r})")
        trace.append(
            (
                command,
                obs.text,
                tuple(obs.admissible),
                obs.reward,
                obs.terminated,
                obs.truncated,
                sorted(obs.info.items()),
            )
        )
        if obs.ended:
            break
    return trace


def _check_nonsense(env: Env, task: Task) -> None:
    before = env.reset(task)
    obs = env.step(NONSENSE)
    if obs.text != NOTHING_HAPPENS or obs.reward != 0.0 or obs.terminated:
        raise EnvCheckError(f"{task.id}: a nonsense command must answer {NOTHING_HAPPENS!r}, got {obs.text!r}")
    if obs.admissible != before.admissible:
        raise EnvCheckError(f"{task.id}: a nonsense command changed the admissible commands")


def _check_expert(env: Env, task: Task) -> None:
    env.reset(task)
    plan = env.expert_plan()
    info: dict[str, Any] = {"won": False}
    for i, command in enumerate(plan):
        obs = _check_observation(env.step(command), f"{task.id} expert step {i} ({command!r})")
        info = obs.info
        if obs.text == NOTHING_HAPPENS:
            raise EnvCheckError(f"{task.id}: expert step {i} {command!r} did nothing")
        if obs.ended and i != len(plan) - 1:
            raise EnvCheckError(f"{task.id}: episode ended at expert step {i} of {len(plan)}")
    if not info["won"] or info["gc_satisfied"] != info["gc_total"]:
        raise EnvCheckError(f"{task.id}: the expert's plan ({len(plan)} steps) did not win: {info}")


def check_env(
    env: Env, tasks: Sequence[Task], *, twin: Env | None = None, steps: int = 30, seed: int = 0, expert: bool = True
) -> None:
    """Check ``env`` on ``tasks``; ``twin`` (a second instance) makes the determinism check cross-instance."""
    if not isinstance(env, Env):
        raise EnvCheckError(f"{type(env).__name__} does not implement envs.core.Env (reset, step, expert_plan, close)")
    if not tasks:
        raise EnvCheckError("check_env needs at least one task")
    other = twin if twin is not None else env
    for k, task in enumerate(tasks):
        first = _rollout(env, task, steps, seed + k)
        second = _rollout(other, task, steps, seed + k)
        for i, (a, b) in enumerate(zip(first, second, strict=False)):
            if a != b:
                raise EnvCheckError(f"{task.id}: the same seed diverged at step {i}: {a!r} != {b!r}")
        if len(first) != len(second):
            raise EnvCheckError(f"{task.id}: the same seed gave rollouts of {len(first)} and {len(second)} steps")
        _check_nonsense(env, task)
        if expert:
            _check_expert(env, task)
    env.close()
    env.close()
