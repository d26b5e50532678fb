"""A user's own environment end to end: its categories key the insights, its prompt folder and words are used,
and no household word reaches the model."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage

import envs
from envs.core import NOTHING_HAPPENS, Observation
from envs.registration import registry
from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import ExpertPlayer, Session, Suite, experiment
from msi_agent.records import Scale, Split, Task

TOOLS = {"Lab": ("pipette", "centrifuge"), "Garage": ("wrench", "jack")}
SPOTS = ("shelf 1", "bench 1", "crate 1")
HOUSEHOLD_WORDS = re.compile(
    r"\b(?:household|robot|rooms?|receptacles?|kitchen|bedroom|bathroom|living ?room|fridge|home)\b", re.IGNORECASE
)


class Workshop:
    """Fetch a tool from where it lies and use it; two goal conditions (held, used)."""

    def reset(self, task: Task) -> Observation:
        self.task, self.at, self.held, self.used = task, "door", False, False
        self.tool, self.spot = task.params["tool"], task.params["spot"]
        return self._obs(f"You stand at the {task.environment.lower()} door. A {self.tool} lies on the {self.spot}.")

    def _admissible(self) -> list[str]:
        cmds = [f"go to {s}" for s in SPOTS if s != self.at] + ["look"]
        if self.at == self.spot and not self.held:
            cmds.append(f"take {self.tool}")
        if self.held:
            cmds.append(f"use {self.tool}")
        return cmds

    def _obs(self, text: str) -> Observation:
        done = int(self.held) + int(self.used)
        return Observation(text, self._admissible(), {"won": done == 2, "gc_satisfied": done, "gc_total": 2})

    def step(self, command: str) -> Observation:
        text = NOTHING_HAPPENS
        if command in self._admissible():
            verb = command.split()[0]
            if verb == "go":
                self.at, text = command[6:], f"You are at the {command[6:]}."
            elif verb == "take":
                self.held, text = True, f"You hold the {self.tool}."
            elif verb == "use":
                self.used, text = True, f"The {self.tool} does its job."
            else:
                text = f"You see the {', '.join(SPOTS)}."
        obs = self._obs(text)
        won = obs.info["won"]
        return Observation(obs.text, obs.admissible, obs.info, reward=float(won), terminated=won)

    def expert_plan(self) -> list[str]:
        plan = [] if self.held or self.at == self.spot else [f"go to {self.spot}"]
        return plan + ([] if self.held else [f"take {self.tool}"]) + ([] if self.used else [f"use {self.tool}"])

    def close(self) -> None:
        pass


def workshop_tasks(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
    out = []
    for i in range(count):
        place = ("Lab", "Garage")[i % 2]
        tool = TOOLS[place][(i // 2 + seed + len(split.value)) % 2]
        out.append(
            Task(
                id=f"ws-{split.value}-{seed}-{i}", family="use_tool", environment=place, scene=place.lower(),
                instruction=f"use the {tool}.", split=split, seed=seed,
                params={"tool": tool, "spot": SPOTS[(i + len(split.value)) % 3]},
            )
        )  # fmt: skip
    return out


SPEC = envs.EnvSpec(
    name="workshop",
    entry_point=Workshop,
    sampler=lambda **_: workshop_tasks,
    families=("use_tool",),
    default_families=("use_tool",),
    max_steps=6,
    scale="workplace",
    categories=("Lab", "Garage"),
    vocabulary={"agent": "a technician", "world": "a workshop", "subtask_example": "Tool Use"},
    prompts=Path(__file__).parent / "workshop_prompts",
)


@pytest.fixture
def registered() -> Iterator[None]:
    envs.register(SPEC)
    yield
    registry._entries.pop("workshop", None)


def insight_reply(prompt: str) -> str:
    room = re.search(r"here the workplace is (\w+)", prompt)
    assert room, prompt  # the generator names the scale and the seed's category in the environment's words
    return (
        "GENERAL:\nADD: Walk to the tool before anything else.\n"
        f"ENVIRONMENT:\nADD [{room.group(1)}]: Tools of the {room.group(1)} lie on shelves and benches.\n"
        "SUBTASK:\nADD [Tool Use]: Take the tool, then use it."
    )


def test_collect_distill_eval_in_the_users_words(tmp_path: Path, registered: None) -> None:
    tasks = [t for s in Split for t in workshop_tasks(s, 4, seed=0, families=[])]
    player = ExpertPlayer(Workshop, tasks, insight_reply=insight_reply, names_reply=lambda p: "Tool Use")
    sent: list[str] = []

    def respond(messages: list[BaseMessage]) -> str:
        sent.append("\n".join(str(m.content) for m in messages))
        return player(messages)

    settings = Settings(
        workspace=tmp_path,
        env={"name": "workshop"},
        pipeline={"train_tasks": 4, "test_tasks": 2},
        eval={"baselines": ["none"]},
    )
    llm = LLMClient(ScriptedChatModel(respond, name="tech"), name="tech")
    with Session.from_settings(
        settings, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    ) as s:
        assert s.suite.spec is SPEC
        folder = experiment.open_run(s, "ws", command="test")
        results = experiment.run_all(s, folder)
        keys = s.store.keys(Scale.ENVIRONMENT, namespace="ws")
        assert sorted(keys) == ["Garage", "Lab"]
        assert s.store.keys(Scale.SUBTASK, namespace="ws") == ["Tool Use"]
    rows = {(r.condition, r.split, r.family): r for r in results.rows}
    assert rows[("msi-hashmap", "valid_seen", "all")].sr == 1.0
    systems = [p for p in sent if p.startswith("You are a technician working in a workshop.")]
    assert systems, "the environment's own react_system.txt and words were used"
    assert any("In the Lab:\n- Tools of the Lab" in p for p in sent)
    leaks = sorted({m.group(0).lower() for p in sent for m in HOUSEHOLD_WORDS.finditer(p)})
    assert leaks == [], f"household words reached the model: {leaks}"


def test_an_env_registered_without_a_sampler_fails_with_what_to_register() -> None:
    envs.register("workshop-bare", Workshop)
    try:
        with pytest.raises(envs.MissingSamplerError, match=r"'workshop-bare' has no task sampler: register it as"):
            Suite.from_registry("workshop-bare")
    finally:
        registry._entries.pop("workshop-bare", None)
