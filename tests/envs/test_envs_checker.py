"""check_env passes the household environment and catches environments that break the contract."""

from __future__ import annotations

from dataclasses import replace

import pytest

from envs.checker import EnvCheckError, check_env
from envs.core import Observation
from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.records import Task

TASKS = sample_tasks(TaskSpec(n=4, seed=9, families=["coffee", "look_at_obj_in_light", "salad", "clean_all_x"]))


def test_household_passes_with_a_twin() -> None:
    check_env(HouseholdEnv(), TASKS, twin=HouseholdEnv())


class Drifting(HouseholdEnv):
    """Answers differently each time it is reset: a determinism bug."""

    resets = 0

    def reset(self, task: Task) -> Observation:
        obs = super().reset(task)
        Drifting.resets += 1
        return Observation(obs.text + " " * (Drifting.resets % 2), obs.admissible, obs.info)


class Lenient(HouseholdEnv):
    """Claims nonsense commands succeed."""

    def step(self, command: str) -> Observation:
        return replace(super().step(command), text="OK!")


class NeverEnds(HouseholdEnv):
    """Wins without saying the episode terminated (the old ``done`` mixed that up with running out of steps)."""

    def step(self, command: str) -> Observation:
        return replace(super().step(command), terminated=False)


class NoInfo(HouseholdEnv):
    def reset(self, task: Task) -> Observation:
        obs = super().reset(task)
        return Observation(obs.text, obs.admissible, {"won": False})


@pytest.mark.parametrize(("env", "message"), [
    (Drifting(), "diverged"),
    (Lenient(), "Nothing happens"),
    (NoInfo(), "gc_satisfied"),
    (NeverEnds(), "a won task is a terminal state"),
])  # fmt: skip
def test_contract_breaks_are_named(env: HouseholdEnv, message: str) -> None:
    with pytest.raises(EnvCheckError, match=message):
        check_env(env, TASKS[:1])


def test_not_an_env_and_no_tasks() -> None:
    with pytest.raises(EnvCheckError, match="does not implement"):
        check_env(object(), TASKS)  # type: ignore[arg-type]
    with pytest.raises(EnvCheckError, match="at least one task"):
        check_env(HouseholdEnv(), [])
