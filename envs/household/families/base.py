"""What a task family is: a small generator plus goal conditions plus an expert recipe.

A family ``draw``s goal parameters for a scene (or returns None when the scene cannot host it), lists the
objects the placement must provide (``Need``), writes the English instruction, states its goal — goal
``Condition``s built from the parameters and the initial arrangement (ALFWorld), or an official TEACh task
definition with parameters taken from the goal (``teach``) — and ``solve``s the task with the expert's primitives.
Everything a family returns is JSON, so a ``Task`` rebuilds exactly from ``family`` + ``params``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from envs.backend import WorldInit
from envs.household.dialogue import Turn, dialogue
from envs.household.goals import Condition, ConditionsCheck, GoalCheck
from envs.household.placement import Need
from envs.household.scenes import RoomType, Scene
from envs.teach.goal import TeachCheck, TeachGoal

if TYPE_CHECKING:
    from envs.household.expert import Solver

Goal = dict[str, Any]


@dataclass(frozen=True)
class Draw:
    goal: Goal
    needs: list[Need] = field(default_factory=list)


@dataclass(frozen=True)
class Family:
    """One task family. ``source`` is "alfworld" or "teach"; ``max_steps`` is the default episode budget.

    The goal is ``teach`` (a TEACh definition) when given, else ``conditions``."""

    name: str
    source: str
    environments: frozenset[RoomType]
    draw: Callable[[random.Random, Scene], Draw | None]
    instruction: Callable[[Goal, random.Random], str]
    conditions: Callable[[Goal, WorldInit], list[Condition]] | None
    solve: Callable[[Solver, Goal], None]
    max_steps: int = 50
    teach: TeachGoal | None = None

    def __post_init__(self) -> None:
        if (self.conditions is None) == (self.teach is None):
            raise ValueError(f"family {self.name!r}: give exactly one of conditions and teach")

    @property
    def definition(self) -> str | None:
        """The official TEACh task this family comes from ("106 Plate Of Toast"), if any."""
        return self.teach.label if self.teach is not None else None

    def goal_details(self, goal: Goal, init: WorldInit) -> list[str]:
        """What the goal asks for, in words (for dialogues): the definition's descriptions, or the conditions."""
        if self.teach is not None:
            return self.teach.details(goal)
        assert self.conditions is not None
        return [c.text for c in self.conditions(goal, init)]

    def dialogue(self, draw: Draw, init: WorldInit, instruction: str, rng: random.Random) -> list[Turn]:
        """The Commander–Driver dialogue of a task drawn as ``draw`` over ``init`` (``envs.household.dialogue``):
        it locates what the placement provided for the goal and every object type the goal names."""
        wanted = self.teach.objects(draw.goal) if self.teach is not None else {}
        for need in draw.needs:
            wanted.setdefault(need.object_type, False)
        return dialogue(instruction, self.goal_details(draw.goal, init), wanted, init, rng)

    def goal_check(self, goal: Goal, init: WorldInit) -> GoalCheck:
        """The goal of one task; raises KeyError/TypeError/ValueError when ``goal`` does not fit the family."""
        if self.teach is not None:
            return TeachCheck(self.teach.bind(goal))
        assert self.conditions is not None
        conditions = self.conditions(goal, init)
        if not conditions:
            raise ValueError(f"family {self.name!r} produced no goal conditions")
        return ConditionsCheck(tuple(conditions))


ALL_ROOMS = frozenset(RoomType)
KITCHEN = frozenset({RoomType.KITCHEN})


def lower(object_type: str) -> str:
    """ALFWorld writes types lower-case in instructions ("put a clean mug in coffeemachine")."""
    return object_type.lower()


def pick_type(rng: random.Random, candidates: list[str]) -> str | None:
    return rng.choice(sorted(candidates)) if candidates else None
