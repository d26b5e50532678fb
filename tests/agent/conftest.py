"""A three-command toy environment: read the book under the lamp (two goal conditions)."""

from __future__ import annotations

import pytest

from envs.core import NOTHING_HAPPENS, Observation
from msi_agent.records import Task


class ToyEnv:
    def __init__(self) -> None:
        self.holding = self.lit = False
        self.closed = 0

    def _obs(self, text: str) -> Observation:
        sat = int(self.holding) + int(self.lit)
        admissible = ["look", "take book 1 from desk 1", "use desklamp 1", "go to bed 1"]
        return Observation(text, admissible, {"won": sat == 2, "gc_satisfied": sat, "gc_total": 2})

    def reset(self, task: Task) -> Observation:
        self.holding = self.lit = False
        return self._obs("You are in a bedroom. On the desk 1, you see a book 1 and a desklamp 1.")

    def step(self, command: str) -> Observation:
        if command == "take book 1 from desk 1" and not self.holding:
            self.holding, text = True, "You pick up the book 1 from the desk 1."
        elif command == "use desklamp 1" and not self.lit:
            self.lit, text = True, "You turn on the desklamp 1."
        elif command in ("look", "go to bed 1"):
            text = "You see a bed 1 and a desk 1."
        else:
            text = NOTHING_HAPPENS
        obs = self._obs(text)
        won = obs.info["won"]
        return Observation(obs.text, obs.admissible, obs.info, reward=float(won), terminated=won)

    def expert_plan(self) -> list[str]:
        return [c for c, done in (("take book 1 from desk 1", self.holding), ("use desklamp 1", self.lit)) if not done]

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def toy_env() -> ToyEnv:
    return ToyEnv()
