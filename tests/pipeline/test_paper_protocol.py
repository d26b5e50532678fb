"""The paper's protocol end to end with the scripted chat model: what reaches the executor and the generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fetch_world import FETCH_SUITE, expert_player, fetch_tasks
from langchain_core.messages import BaseMessage

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.modes import InsightMode
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.session import Session
from msi_agent.records import Insight, Scale, Split

GENERATOR_MARK = "update the rules with these operations"


class Recorder:
    """The fetch world's expert player, keeping every prompt it is sent (joined messages)."""

    def __init__(self, insight_reply: Callable[[str], str] = lambda p: "", tasks: int = 6) -> None:
        all_tasks = [t for s in Split for t in fetch_tasks(s, tasks, seed=0, families=[])]
        self.play = expert_player(all_tasks, insight_reply, lambda p: "none")
        self.prompts: list[str] = []

    def __call__(self, messages: list[BaseMessage]) -> str:
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return self.play(messages)

    @property
    def generator_prompts(self) -> list[str]:
        return [p for p in self.prompts if GENERATOR_MARK in p]


@contextmanager
def scripted_session(tmp_path: Path, recorder: Recorder, **pipeline: Any) -> Iterator[Session]:
    settings = Settings(
        workspace=tmp_path, agent={"max_steps": 10}, pipeline={"train_tasks": 6, "test_tasks": 1, **pipeline}
    )
    llm = LLMClient(ScriptedChatModel(recorder, name="s"), name="s")
    store = open_store("memory", embeddings="hash")
    with Session.from_settings(settings, suite=FETCH_SUITE, llm=llm, store=store, embeddings="hash") as session:
        yield session


def test_general_only_prompts_hold_no_environment_rule(tmp_path: Path) -> None:
    recorder = Recorder()
    with scripted_session(tmp_path, recorder) as session:
        room = str(fetch_tasks(Split.VALID_SEEN, 1, seed=0, families=[])[0].environment)
        for text, scale, key in [
            ("Carry one thing at a time.", Scale.GENERAL, None),
            ("The sofa is by the window.", Scale.ENVIRONMENT, room),
            ("Put things down gently.", Scale.SUBTASK, "Placing"),
        ]:
            session.store.add(Insight(text=text, scale=scale, key=key), namespace="ns")
        folder = experiment.open_run(session, "go", command="test")
        for mode in (InsightMode.GENERAL_ONLY, InsightMode.GENERAL_ENVIRONMENT):
            recorder.prompts.clear()
            stages.play_arm(session, folder, stages.Arm(mode.value, mode, "ns"))
            assert len(recorder.prompts) > 4
            assert all("Carry one thing at a time." in p for p in recorder.prompts)
            assert not any("Put things down gently." in p for p in recorder.prompts)
            with_room = [("The sofa is by the window." in p) for p in recorder.prompts]
            assert all(with_room) if mode is InsightMode.GENERAL_ENVIRONMENT else not any(with_room)
