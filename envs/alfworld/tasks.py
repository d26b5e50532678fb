"""The six ALFWorld task types, their goal parameters, and their goal conditions over PDDL facts.

Goal conditions follow ALFRED's ``goal_conditions_met`` (``alfworld/env/tasks.py``), read off the planner's facts
instead of AI2-THOR metadata, so ``gc_satisfied``/``gc_total`` mean the same thing on every engine:
- pick_and_place_simple: a target object is in a target receptacle (1);
- pick_two_obj_and_place: one, then two target objects are in the same target receptacle (2);
- look_at_obj_in_light: a target object is held; a target lamp is on where the agent stands (2);
- pick_{clean,heat,cool}_then_place_in_recep: an object is in place; one is clean/hot/cool; one is both (3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator


class AlfredTaskType(StrEnum):
    PICK_AND_PLACE = "pick_and_place_simple"
    LOOK_AT_IN_LIGHT = "look_at_obj_in_light"
    CLEAN_AND_PLACE = "pick_clean_then_place_in_recep"
    HEAT_AND_PLACE = "pick_heat_then_place_in_recep"
    COOL_AND_PLACE = "pick_cool_then_place_in_recep"
    TWO_AND_PLACE = "pick_two_obj_and_place"


STATE_FACT = {
    AlfredTaskType.CLEAN_AND_PLACE: "isclean",
    AlfredTaskType.HEAT_AND_PLACE: "ishot",
    AlfredTaskType.COOL_AND_PLACE: "iscool",
}
"""The fact a state-changing task needs on its object (lower-case, as the planner reports facts)."""


class GameGoal(BaseModel):
    """What an ALFWorld game asks for: ``traj_data.json``'s ``task_type`` and ``pddl_params`` (THOR type names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_type: AlfredTaskType
    object_target: str
    parent_target: str = ""
    toggle_target: str = ""

    @field_validator("object_target")
    @classmethod
    def _object_given(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("object_target is empty; name the THOR object type to manipulate, e.g. 'Apple'")
        return v

    def traj_data(self) -> dict[str, object]:
        """The ``traj_data.json`` content ALFWorld's expert reads (task type and pddl params are all it needs)."""
        return {
            "task_type": self.task_type.value,
            "pddl_params": {
                "object_target": self.object_target,
                "parent_target": self.parent_target,
                "toggle_target": self.toggle_target,
                "mrecep_target": "",
                "object_sliced": False,
            },
        }

    @classmethod
    def from_traj_data(cls, traj: dict[str, object]) -> GameGoal:
        params = traj.get("pddl_params")
        if not isinstance(params, dict):
            raise ValueError("traj_data.json has no 'pddl_params' object; is this an ALFWorld trajectory file?")
        return cls(
            task_type=AlfredTaskType(str(traj.get("task_type"))),
            object_target=str(params.get("object_target") or ""),
            parent_target=str(params.get("parent_target") or ""),
            toggle_target=str(params.get("toggle_target") or ""),
        )


@dataclass(frozen=True, slots=True)
class Facts:
    """The planner's facts indexed for goal checks: predicate name → set of argument-name tuples (lower-case)."""

    by_name: dict[str, set[tuple[str, ...]]]

    @classmethod
    def of(cls, facts: Iterable[tuple[str, tuple[str, ...]]]) -> Facts:
        by_name: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for name, args in facts:
            by_name[name.lower()].add(tuple(a.lower() for a in args))
        return cls(dict(by_name))

    def holds(self, name: str, *args: str) -> bool:
        return args in self.by_name.get(name, ())

    def of_type(self, predicate: str, type_name: str) -> set[str]:
        wanted = f"{type_name.lower()}type"
        return {args[0] for args in self.by_name.get(predicate, ()) if args[1] == wanted}


def goal_conditions(goal: GameGoal, facts: Facts) -> list[bool]:
    """ALFRED's goal conditions for ``goal`` in the world ``facts`` describes, each True when met."""
    objects = facts.of_type("objecttype", goal.object_target)
    if goal.task_type is AlfredTaskType.LOOK_AT_IN_LIGHT:
        held = any(args[1] in objects for args in facts.by_name.get("holds", ()))
        here = {args[1] for args in facts.by_name.get("atlocation", ())}
        receptacles_here = {r for r, loc in facts.by_name.get("receptacleatlocation", ()) if loc in here}
        lamps = facts.of_type("objecttype", goal.toggle_target)
        lit = any(
            facts.holds("istoggled", lamp) and (lamp, r) in facts.by_name.get("inreceptacle", ())
            for lamp in lamps
            for r in receptacles_here
        )
        return [held, lit]
    receptacles = facts.of_type("receptacletype", goal.parent_target)
    contents: dict[str, set[str]] = defaultdict(set)
    for obj, recep in facts.by_name.get("inreceptacle", ()):
        if obj in objects and recep in receptacles:
            contents[recep].add(obj)
    placed = set().union(*contents.values()) if contents else set()
    if goal.task_type is AlfredTaskType.PICK_AND_PLACE:
        return [bool(placed)]
    if goal.task_type is AlfredTaskType.TWO_AND_PLACE:
        most = max((len(v) for v in contents.values()), default=0)
        return [most >= 1, most >= 2]
    state = STATE_FACT[goal.task_type]
    changed = {obj for obj in objects if facts.holds(state, obj)}
    return [bool(placed), bool(changed), bool(placed & changed)]
