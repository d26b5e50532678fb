"""Stage options from the settings: seeds fed family by family (domain shift), act-only executor without examples."""

from __future__ import annotations

from pathlib import Path

from fetch_world import FETCH_SUITE, expert_player, fetch_tasks
from langchain_core.messages import BaseMessage

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.session import Session
from msi_agent.records import Split


def test_family_order_and_act_only(tmp_path: Path) -> None:
    tasks = [t for s in Split for t in fetch_tasks(s, 6, seed=0, families=[])]
    prompts: list[list[BaseMessage]] = []
    play = expert_player(tasks, lambda p: "GENERAL:\nADD: Be quick.", lambda p: "none")

    def respond(messages: list[BaseMessage]) -> str:
        prompts.append(messages)
        return play(messages)

    settings = Settings(
        workspace=tmp_path,
        agent={"max_steps": 10},
        pipeline={"train_tasks": 6, "test_tasks": 1},
        distill={
            "seed_order": "families:fetch_two,fetch_one",
            "selector": "success",
            "seed_from": "expert",
        },
    )
    llm = LLMClient(ScriptedChatModel(respond, name="s"), name="s")
    with Session.from_settings(
        settings, suite=FETCH_SUITE, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    ) as session:
        folder = experiment.open_run(session, "st", command="test")
        stages.collect(session, folder)
        log = stages.distill(session, folder)
        families = [session.pool.get(u.seed_ids[0]).task.family for u in log]
        assert families == ["fetch_two"] * 3 + ["fetch_one"] * 3

        prompts.clear()
        act = Settings(
            workspace=tmp_path,
            agent={"max_steps": 10, "examples": 0, "act_only": True, "history_window": 2},
            pipeline={"train_tasks": 6, "test_tasks": 1},
            eval={"baselines": ["none"]},
        )
        folder = experiment.open_run(session.with_settings(act), "act", command="test")
        by_arm = stages.evaluate(session.with_settings(act), folder)
        assert list(by_arm) == ["msi-hashmap", "no-insights"]
        assert all(s.thought == "" for eps in by_arm.values() for e in eps for s in e.steps)
        text = "\n".join(str(m.content) for m in prompts[-1])
        assert "Here are solved examples" not in text and "Think:" not in text.split("Your task is to:")[1]
        assert "Reply with one line:\nAction:" in text
