"""The whole MSI pipeline offline: household simulator, in-memory store, and a scripted stand-in for the LLM.

collect → distill → evaluate on a few tasks, then the results table. The stand-in (``ExpertPlayer``) follows the
simulator's expert but gets lamp tasks wrong until an insight tells it how; its "reflection" adds one rule per
scale and agrees with it afterwards. Replace ``offline_llm`` with ``LLMClient.from_settings`` for a real model.

    python examples/offline_pipeline.py [WORKSPACE]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import Session, experiment
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.pipeline.suite import Suite
from msi_agent.records import Split

FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]
LAMP_RULE = "Pick up the object first, then turn on the lamp."


def reflect(prompt: str) -> str:
    """What a good LLM might answer to an insight-update prompt: new rules first, agreement afterwards."""
    if "SUBTASK:" not in prompt:  # the ExpeL baseline's flat list
        return "ADD: Go to a receptacle before taking from it."
    if m := re.search(r"(\d+)\. \[Lamp Use\] ", prompt):
        return f"SUBTASK:\nAGREE {m.group(1)}"
    return f"GENERAL:\nADD: Go to a receptacle before taking from it.\nSUBTASK:\nADD [Lamp Use]: {LAMP_RULE}"


def offline_llm(settings: Settings, suite: Suite) -> LLMClient:
    p = settings.pipeline
    tasks = [
        t
        for split, n in (
            (Split.TRAIN, p.train_tasks),
            (Split.VALID_SEEN, p.test_tasks),
            (Split.VALID_UNSEEN, p.test_tasks),
        )
        for t in suite.sample(split, n, seed=p.seed, families=settings.env.families)
    ]
    player = ExpertPlayer(
        suite.make_env,
        tasks,
        insight_reply=reflect,
        names_reply=lambda prompt: "Lamp Use" if "look at" in prompt.split("this task:")[1].splitlines()[0] else "none",
        stumble=lambda first, prompt, turn: "look at" in first and LAMP_RULE not in prompt,
    )
    return LLMClient(ScriptedChatModel(player, name="offline-expert"), name="offline-expert")


def main(workspace: Path) -> str:
    settings = Settings(
        workspace=workspace,
        agent={"max_steps": 10},
        env={"families": FAMILIES},
        pipeline={"train_tasks": 4, "test_tasks": 2, "seed": 0},
    )
    suite = Suite.from_registry("household")
    with Session.from_settings(
        settings,
        suite=suite,
        llm=offline_llm(settings, suite),
        store=open_store("memory", embeddings="hash"),
        embeddings="hash",
    ) as session:
        folder = experiment.open_run(session, "offline", command="examples/offline_pipeline.py", fresh=True)
        experiment.run_all(session, folder)
        for insight in session.store.list(namespace="offline"):
            print(
                f"[{insight.scale.value}{'/' + insight.key if insight.key else ''}] {insight.text} "
                f"(score {insight.score:g})"
            )
    table = (folder.path / "results.md").read_text(encoding="utf-8")
    print(table)
    return table


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="msi-offline-")))
