"""The expert plans each task once per run: demos seed the training tasks' plan lengths, the first evaluation arm
the test tasks'; every episode still records its reference length."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from fetch_world import FETCH_SPEC, FetchEnv, expert_player, fetch_tasks

import envs
from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import Session, Suite, experiment
from msi_agent.records import Split

PLANNED: Counter[str] = Counter()


class CountingFetch(FetchEnv):
    def expert_plan(self) -> list[str]:
        PLANNED[self.task.id] += 1
        return super().expert_plan()


def test_each_task_is_planned_once(tmp_path: Path) -> None:
    tasks = [t for s in Split for t in fetch_tasks(s, 3, seed=0, families=[])]
    player = expert_player(tasks, lambda p: "GENERAL:\nADD: Be quick.", lambda p: "none")
    llm = LLMClient(ScriptedChatModel(player, name="s"), name="s")
    suite = Suite.from_spec(replace(FETCH_SPEC, entry_point=CountingFetch))
    settings = Settings(workspace=tmp_path, agent={"max_steps": 12}, pipeline={"train_tasks": 3, "test_tasks": 2})
    store = open_store("memory", embeddings="hash")
    with Session.from_settings(settings, suite=suite, llm=llm, store=store, embeddings="hash") as session:
        folder = experiment.open_run(session, "refs", command="test", fresh=True)
        experiment.run_all(session, folder)  # three evaluation arms (the default baselines: none, expel)
        episodes = session.pool.query(run="refs")
    assert len({e.task.id for e in episodes}) == 7 and set(PLANNED.values()) == {1}
    assert all(e.reference_length is not None and e.reference_length > 0 for e in episodes if e.error is None)


def test_the_program_executor_also_plans_each_task_once(tmp_path: Path) -> None:
    from envs.household.env import HouseholdEnv
    from envs.tasks import TaskSpec, sample_tasks
    from msi_agent.pipeline.offline import ExpertPlayer

    planned: Counter[str] = Counter()

    class CountingHousehold(HouseholdEnv):
        def expert_plan(self) -> list[str]:
            assert self.task is not None
            planned[self.task.id] += 1
            return super().expert_plan()

    family = "coffee"
    tasks = [t for s in Split for t in sample_tasks(TaskSpec(split=s, n=2, seed=0, families=[family]))]
    llm = LLMClient(ScriptedChatModel(ExpertPlayer(HouseholdEnv, tasks), name="p"), name="p")
    planned.clear()  # the player's own planning is not the run's
    suite = Suite.from_spec(replace(envs.spec("household"), entry_point=CountingHousehold))
    settings = Settings(
        workspace=tmp_path,
        agent={"executor": "program"},
        env={"families": [family]},
        pipeline={"train_tasks": 2, "test_tasks": 2},
        eval={"baselines": ["none"]},
    )
    store = open_store("memory", embeddings="hash")
    with Session.from_settings(settings, suite=suite, llm=llm, store=store, embeddings="hash") as session:
        folder = experiment.open_run(session, "prog", command="test", fresh=True)
        experiment.run_all(session, folder)
        episodes = [e for e in session.pool.query(run="prog") if e.error is None]
    assert len({e.task.id for e in episodes}) == 6 and set(planned.values()) == {1}
    assert all(e.reference_length and e.success for e in episodes)
