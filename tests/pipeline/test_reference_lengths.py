"""The expert plans each task once per run: demos seed the training tasks' plan lengths, the first evaluation arm
the test tasks'; every episode still records its reference length."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from fetch_world import FETCH_SPEC, FetchEnv, expert_player, fetch_tasks

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
