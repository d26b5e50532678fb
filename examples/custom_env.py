"""Bring your own environment: implement ``envs.core.Env`` and a task sampler, describe both in an ``EnvSpec``.

``LampRoom`` is a complete (tiny) text environment: read a book under a lamp. The pipeline sees it exactly like
the household simulator. ``SPEC`` names its factory, sampler, families, the name of its environment scale and the
categories that scale takes, and the words its prompts use; ``envs.register(SPEC)`` (or an entry point in the group
``msi_agent.envs`` pointing at ``SPEC``) makes ``--env lamp-room`` work.

    python examples/custom_env.py [WORKSPACE]
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import envs
from envs import NOTHING_HAPPENS, EnvSpec, Observation
from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import ExpertPlayer, Results, Session, Suite, experiment
from msi_agent.records import Split, Task

ROOMS = {"desk 1": "desklamp 1", "sidetable 1": "floorlamp 1"}
BOOKS = ("book", "cd", "pen", "mug")


class LampRoom:
    """Go to where the object lies, take it, switch that spot's lamp on. Two goal conditions: held, lit."""

    def reset(self, task: Task) -> Observation:
        self.task, self.at, self.holding, self.lit = task, None, False, False
        return self._obs(f"You are in a bedroom with a desk 1 and a sidetable 1. Your task is to: {task.instruction}")

    def _admissible(self) -> list[str]:
        spot, obj = self.task.params["spot"], self.task.params["object"]
        cmds = [f"go to {r}" for r in ROOMS if r != self.at] + ["look"]
        if self.at == spot and not self.holding:
            cmds.append(f"take {obj} 1 from {spot}")
        if self.at:
            cmds.append(f"use {ROOMS[self.at]}")
        return cmds

    def _obs(self, text: str) -> Observation:
        sat = int(self.holding) + int(self.lit)
        return Observation(text, self._admissible(), {"won": sat == 2, "gc_satisfied": sat, "gc_total": 2})

    def step(self, command: str) -> Observation:
        text = NOTHING_HAPPENS
        if command in self._admissible():
            if command.startswith("go to "):
                self.at, text = command[6:], f"You arrive at {command[6:]}."
            elif command.startswith("take "):
                self.holding, text = True, f"You pick up the {self.task.params['object']} 1."
            elif command.startswith("use "):
                self.lit = self.at == self.task.params["spot"]
                text = f"You turn on the {ROOMS[self.at or '']}."
            else:
                text = "You are in a bedroom."
        obs = self._obs(text)
        won = obs.info["won"]
        return Observation(obs.text, obs.admissible, obs.info, reward=float(won), terminated=won)

    def expert_plan(self) -> list[str]:
        spot, obj = self.task.params["spot"], self.task.params["object"]
        plan = [] if self.at == spot else [f"go to {spot}"]
        return plan + ([] if self.holding else [f"take {obj} 1 from {spot}"]) + [f"use {ROOMS[spot]}"]

    def close(self) -> None:
        pass


def sample(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
    spots = list(ROOMS)
    return [
        Task(
            id=f"lamp-{split.value}-{seed}-{i}",
            family="read_under_lamp",
            environment="reading corner",
            scene="LampRoom",
            split=split,
            seed=seed,
            instruction=f"look at the {BOOKS[(i + seed) % 4]} under the lamp.",
            params={"object": BOOKS[(i + seed) % 4], "spot": spots[(i + len(split.value)) % 2]},
        )
        for i in range(count)
    ]


SPEC = EnvSpec(
    name="lamp-room",
    entry_point=LampRoom,
    sampler=lambda **options: sample,
    families=("read_under_lamp",),
    max_steps=6,
    scale="corner",
    categories=("reading corner",),
    vocabulary={"agent": "a reading assistant", "world": "a small bedroom"},
)
envs.register(SPEC, replace=True)


def main(workspace: Path) -> Results:
    suite = Suite.from_registry("lamp-room")
    settings = Settings(  # the step limit is the spec's (agent.max_steps unset)
        workspace=workspace, pipeline={"train_tasks": 3, "test_tasks": 2}, eval={"baselines": ["none"]}
    )
    tasks = [t for s in Split for t in sample(s, 3, seed=0, families=[])]
    player = ExpertPlayer(suite.make_env, tasks)  # a stand-in for an LLM that knows the expert's moves
    llm = LLMClient(ScriptedChatModel(player, name="lamp-expert"), name="lamp-expert")
    with Session.from_settings(
        settings, suite=suite, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    ) as s:
        folder = experiment.open_run(s, "lamp", command="examples/custom_env.py", fresh=True)
        results = experiment.run_all(s, folder)
    print((folder.path / "results.md").read_text(encoding="utf-8"))
    return results


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="msi-lamp-")))
