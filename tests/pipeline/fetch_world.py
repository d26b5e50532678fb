"""A tiny fetch-and-place world as a pipeline ``Suite``, and a scripted model that plays its expert.

The player follows the expert plan from the prompt alone and gets stuck on purpose at a "cursed" object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from envs.core import NOTHING_HAPPENS, Observation
from envs.spec import EnvSpec
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.pipeline.suite import Suite
from msi_agent.records import Split, Task

PLACES = ("shelf 1", "table 1", "drawer 1", "sofa 1")
THINGS = ("book", "mug", "vase", "cursed idol")


class FetchEnv:
    """Move every named object to the target place; one goal condition per object."""

    def reset(self, task: Task) -> Observation:
        self.task = task
        self.where = dict(task.params["start"])
        self.at: str | None = None
        self.holding: str | None = None
        return self._obs(
            "You are in the middle of a room. " + ", ".join(f"a {o} is on the {p}" for o, p in self.where.items())
        )

    def _conditions(self) -> tuple[int, int]:
        goal = self.task.params["goal"]
        return sum(self.where.get(o) == goal for o in self.task.params["start"]), len(self.task.params["start"])

    def _admissible(self) -> list[str]:
        cmds = [f"go to {p}" for p in PLACES if p != self.at] + ["look"]
        if self.at and not self.holding:
            cmds += [f"take {o} from {self.at}" for o, p in self.where.items() if p == self.at]
        if self.at and self.holding:
            cmds.append(f"put {self.holding} on {self.at}")
        return cmds

    def _obs(self, text: str) -> Observation:
        sat, total = self._conditions()
        return Observation(text, self._admissible(), {"won": sat == total, "gc_satisfied": sat, "gc_total": total})

    def step(self, command: str) -> Observation:
        text = NOTHING_HAPPENS
        if command not in self._admissible():
            pass
        elif command.startswith("go to "):
            self.at, text = command[6:], f"You arrive at {command[6:]}."
        elif command.startswith("take "):
            obj = command[5:].split(" from ")[0]
            self.holding, text = obj, f"You pick up the {obj}."
            del self.where[obj]
        elif command.startswith("put ") and self.holding and self.at:
            self.where[self.holding], text = self.at, f"You put the {self.holding} on the {self.at}."
            self.holding = None
        elif command == "look":
            text = "You look around."
        obs = self._obs(text)
        won = obs.info["won"]
        return Observation(obs.text, obs.admissible, obs.info, reward=float(won), terminated=won)

    def expert_plan(self) -> list[str]:
        goal, plan = self.task.params["goal"], []
        for obj, place in sorted(self.where.items()):
            if place != goal:
                plan += [f"go to {place}", f"take {obj} from {place}", f"go to {goal}", f"put {obj} on {goal}"]
        return plan

    def close(self) -> None:
        pass


def fetch_tasks(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
    fams = list(families) or ["fetch_one", "fetch_two"]
    out = []
    for i in range(count):
        fam = fams[i % len(fams)]
        k = 1 if fam == "fetch_one" else 2
        objs = [THINGS[(seed + i + j + len(split.value)) % len(THINGS)] for j in range(k)]
        start = {o: PLACES[(i + j) % 3] for j, o in enumerate(objs)}
        goal = "sofa 1"
        instruction = f"put the {' and the '.join(objs)} on the {goal}."
        out.append(
            Task(
                id=f"{split.value}-{fam}-{i}",
                family=fam,
                environment="LivingRoom",
                scene="toy",
                instruction=instruction,
                split=split,
                seed=seed,
                params={"start": start, "goal": goal},
            )
        )
    return out


FETCH_SPEC = EnvSpec(
    name="fetch",
    entry_point=FetchEnv,
    sampler=lambda **_: fetch_tasks,
    families=("fetch_one", "fetch_two"),
    scale="room type",
    categories=("LivingRoom",),
)
FETCH_SUITE = Suite.from_spec(FETCH_SPEC)


CURSE_RULE = "Lift cursed idols with both hands."


def expert_player(
    tasks: Sequence[Task], insight_reply: Callable[[str], str], names_reply: Callable[[str], str]
) -> ExpertPlayer:
    """The expert, stuck (looking around until the step limit) once it reaches a cursed idol, unless the prompt
    carries ``CURSE_RULE``."""
    player = ExpertPlayer(FetchEnv, tasks, insight_reply=insight_reply, names_reply=names_reply)

    def stumble(first: str, prompt: str, turn: int) -> bool:
        if CURSE_RULE in prompt:
            return False
        plan = next(p for obs, p in player.plans.items() if obs in first)
        stuck = next((i for i, c in enumerate(plan) if "cursed" in c), len(plan))
        return turn >= stuck

    player.stumble = stumble
    return player
