"""The step limit: a task's own budget (reported by the environment) unless the settings set one, and a warning
when a limit leaves even the expert no way to win."""

from __future__ import annotations

import logging

import pytest

from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.agent.executor import ExecutorConfig, play
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.records import Split, Task


def _long_task() -> tuple[Task, int]:
    """A breakfast task whose expert plan is longer than the generic 30-step limit."""
    for task in sample_tasks(TaskSpec(families=["breakfast"], split=Split.VALID_SEEN, n=10, seed=0)):
        with HouseholdEnv() as env:
            env.reset(task)
            length = len(env.expert_plan())
        if length > 30:
            return task, length
    raise AssertionError("no breakfast task with a plan over 30 steps among 10")


def _expert(task: Task) -> LLMClient:
    return LLMClient(ScriptedChatModel(ExpertPlayer(HouseholdEnv, [task]), name="expert"), name="expert")


def test_the_tasks_own_budget_lets_the_expert_win(caplog: pytest.LogCaptureFixture) -> None:
    task, length = _long_task()
    with HouseholdEnv() as env:
        episode = play(_expert(task), env, task, ExecutorConfig(max_steps=30, env_budget=True))
    assert episode.success and episode.reference_length == length > 30
    assert "no agent can win" not in caplog.text


def test_a_set_limit_below_the_plan_is_kept_and_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    task, length = _long_task()
    with caplog.at_level(logging.WARNING), HouseholdEnv() as env:
        episode = play(_expert(task), env, task, ExecutorConfig(max_steps=30))
    assert not episode.success and "step limit (30) reached" in (episode.failure_reason or "")
    assert f"the expert needs {length} steps but the step limit is 30, so no agent can win it" in caplog.text
