"""A scripted model that plays TextWorldExpress gold paths for the tasks `msi-agent run` samples on coin."""

from __future__ import annotations

from msi_agent.llm import ScriptedChatModel
from msi_agent.pipeline import ExpertPlayer, Suite
from msi_agent.records import Split


def make_model() -> ScriptedChatModel:
    suite = Suite.from_registry("textworld-express")
    tasks = [t for split in Split for t in suite.sample(split, 4, seed=0, families=["coin"])]
    return ScriptedChatModel(ExpertPlayer(suite.make_env, tasks), name="twx-gold")
