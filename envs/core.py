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
    """What the agent sees after reset or a step.

    text: feedback for the last command (or the scene description after reset).
    admissible: the commands that are valid now, in a stable order.
    info: extra facts, always including ``won`` (bool), ``gc_satisfied`` and ``gc_total`` (ints, TEACh
    definition: conditions already true at reset do not count) and, after a failed command, ``error``.
    """

    text: str
    admissible: list[str]
    info: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Env(Protocol):
    """A text environment. Implementations are context managers; ``close`` is safe to call twice."""

    def reset(self, task: Task) -> Observation:
        """Start an episode of ``task``; the same task always yields the same initial world."""
        ...

    def step(self, command: str) -> tuple[Observation, float, bool, dict[str, Any]]:
        """Apply one command. Returns (observation, reward 1.0 on success else 0.0, done, info)."""
        ...

    def expert_plan(self) -> list[str]:
        """Commands that solve the current task from the current state (raises if there is none)."""
        ...

    def close(self) -> None: ...
