"""Plug in your own LangChain chat model: anything implementing ``BaseChatModel`` drives the agent.

``GreedyModel`` is a toy policy (no network): it reads the possible commands from the prompt and prefers to take,
then place, then use, then explore. Swap in any LangChain chat model (``ChatAnthropic``, ``ChatOllama``, …).

    python examples/custom_chat_model.py [WORKSPACE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient
from msi_agent.pipeline import Results, Session, experiment

PREFERENCE = ("take ", "move ", "put ", "use ", "go to ")


class GreedyModel(BaseChatModel):
    """The two methods a LangChain chat model must implement: ``_generate`` and ``_llm_type``."""

    @property
    def _llm_type(self) -> str:
        return "greedy-example"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        last = str(messages[-1].content)
        if "update the rules" in last:
            text = "GENERAL:\nADD: Take the object you need before going anywhere else."
        elif "Possible commands:" in last:
            commands = last.rsplit("Possible commands:", 1)[1].strip().split(", ")
            tried = {str(m.content).rsplit("Action: ", 1)[-1] for m in messages if isinstance(m, AIMessage)}
            fresh = [c for c in commands if c not in tried] or commands
            choice = next((c for p in PREFERENCE for c in fresh if c.startswith(p)), fresh[0])
            text = f"Think: {choice} looks useful.\nAction: {choice}"
        else:
            text = "none"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def main(workspace: Path) -> Results:
    settings = Settings(
        workspace=workspace,
        agent={"max_steps": 8},
        env={"families": ["pick_and_place_simple"]},
        pipeline={"train_tasks": 2, "test_tasks": 1},
        eval={"baselines": ["none"]},
    )
    llm = LLMClient(GreedyModel(), name="greedy-example")
    with Session.from_settings(
        settings, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    ) as session:
        folder = experiment.open_run(session, "greedy", command="examples/custom_chat_model.py", fresh=True)
        results = experiment.run_all(session, folder)
    print((folder.path / "results.md").read_text(encoding="utf-8"))
    return results


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="msi-greedy-")))
