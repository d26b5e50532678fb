"""`--fresh` gives a run its own LLM cache namespace: earlier answers are not reused, resumptions reuse its own."""

from __future__ import annotations

from pathlib import Path

from fetch_world import FETCH_SUITE, expert_player, fetch_tasks
from langchain_core.messages import BaseMessage

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.llm.cache import CACHE_FILE, ResponseCache
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.session import Session
from msi_agent.records import Split


def test_fresh_runs_ask_the_model_again_and_resume_from_their_own_answers(tmp_path: Path) -> None:
    tasks = [t for s in Split for t in fetch_tasks(s, 2, seed=0, families=[])]
    play = expert_player(tasks, lambda p: "", lambda p: "none")
    calls: list[int] = []

    def respond(messages: list[BaseMessage]) -> str:
        calls.append(1)
        return play(messages)

    settings = Settings(workspace=tmp_path, agent={"max_steps": 6}, pipeline={"train_tasks": 2})

    def collect(fresh: bool) -> tuple[int, str]:
        before = len(calls)
        llm = LLMClient(ScriptedChatModel(respond, name="s"), name="s", cache=ResponseCache(tmp_path / CACHE_FILE))
        store = open_store("memory", embeddings="hash")
        with Session.from_settings(settings, suite=FETCH_SUITE, llm=llm, store=store, embeddings="hash") as session:
            folder = experiment.open_run(session, "r", command="test", fresh=fresh)
            session.pool.delete(run="r")  # replay every episode, so only the cache decides what reaches the model
            for path in (folder.path / "episodes").glob("*/*.json"):
                path.unlink()
            stages.collect(session, folder)
            namespace = folder.manifest().cache_namespace
        llm.close()
        return len(calls) - before, namespace

    first, shared = collect(fresh=False)
    again, _ = collect(fresh=False)
    assert first > 0 and again == 0 and shared == ""  # plain reruns answer from the shared cache
    fresh, own = collect(fresh=True)
    assert fresh == first and own.startswith("r-")  # a fresh run asks the model anew, under its own namespace
    resumed, same = collect(fresh=False)
    assert resumed == 0 and same == own  # its resumptions reuse its own answers
