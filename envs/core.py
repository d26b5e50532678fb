"""The environment protocol every simulator implements (household, AI2-THOR, ALFWorld, third-party).

Text in, text out, in the ALFWorld style: an observation string plus the admissible commands.
``reset(task)`` starts an episode of a given task; ``step(command)`` never raises on a bad command:
it answers "Nothing happens." and leaves the world unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from msi_agent.records import Task

NOTHING_HAPPENS = "Nothing happens."


@dataclass(frozen=True, slots=True)
class Observation:
    """What the agent sees after reset or a step (Gymnasium's step result in one record).

    text: feedback for the last command (or the scene description after reset).
    admissible: the commands that are valid now, in a stable order.
    info: extra facts, always including ``won`` (bool), ``gc_satisfied`` and ``gc_total`` (ints, TEACh
    definition: conditions already true at reset do not count) and, after a failed command, ``error``. An
    environment with per-task step budgets reports the task's as ``max_steps`` (an int); the agent then plays to
    it unless the settings set ``agent.max_steps``.
    reward: what the last command earned (1.0 on the step that wins the task, else 0.0, unless the environment
    scores otherwise); 0.0 after reset.
    terminated: the task reached an end state (won, or lost for good); stepping on is an error.
    truncated: the environment's own step budget ran out before that; stepping on is an error too.
    """

    text: str
    admissible: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False

    @property
    def ended(self) -> bool:
        """The episode is over, for either reason."""
        return self.terminated or self.truncated


@runtime_checkable
class Env(Protocol):
    """A text environment. Implementations are context managers; ``close`` is safe to call twice."""

    def reset(self, task: Task) -> Observation:
        """Start an episode of ``task``; the same task always yields the same initial world."""
        ...

    def step(self, command: str) -> Observation:
        """Apply one command; the observation carries its reward, ``terminated``, ``truncated`` and ``info``."""
        ...

    def expert_plan(self) -> list[str]:
        """Commands that solve the current task from the current state (raises if there is none)."""
        ...

    def close(self) -> None: ...
