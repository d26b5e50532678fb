"""ALFRED goal conditions read off planner facts, and the traj_data round trip."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from envs.alfworld.tasks import AlfredTaskType, Facts, GameGoal, goal_conditions

BASE = [
    ("objecttype", ("apple_1", "appletype")),
    ("objecttype", ("apple_2", "appletype")),
    ("objecttype", ("lamp_1", "desklamptype")),
    ("receptacletype", ("table_1", "diningtabletype")),
    ("receptacletype", ("desk_1", "desktype")),
    ("receptacleatlocation", ("desk_1", "loc_1")),
    ("inreceptacle", ("lamp_1", "desk_1")),
]


def facts(*extra: tuple[str, tuple[str, ...]]) -> Facts:
    return Facts.of([*BASE, *extra])


def goal(kind: AlfredTaskType, **kw: str) -> GameGoal:
    return GameGoal(task_type=kind, object_target="Apple", parent_target="DiningTable", **kw)


def test_pick_and_place_and_two() -> None:
    g = goal(AlfredTaskType.PICK_AND_PLACE)
    assert goal_conditions(g, facts()) == [False]
    assert goal_conditions(g, facts(("inreceptacle", ("apple_1", "table_1")))) == [True]
    two = goal(AlfredTaskType.TWO_AND_PLACE)
    one_in = facts(("inreceptacle", ("apple_1", "table_1")))
    assert goal_conditions(two, one_in) == [True, False]
    both = facts(("inreceptacle", ("apple_1", "table_1")), ("inreceptacle", ("apple_2", "table_1")))
    assert goal_conditions(two, both) == [True, True]


@pytest.mark.parametrize(("kind", "fact"), [(AlfredTaskType.HEAT_AND_PLACE, "ishot"),
                                            (AlfredTaskType.COOL_AND_PLACE, "iscool"),
                                            (AlfredTaskType.CLEAN_AND_PLACE, "isclean")])  # fmt: skip
def test_state_change_needs_the_same_object(kind: AlfredTaskType, fact: str) -> None:
    g = goal(kind)
    wrong = facts(("inreceptacle", ("apple_1", "table_1")), (fact, ("apple_2",)))
    assert goal_conditions(g, wrong) == [True, True, False]
    right = facts(("inreceptacle", ("apple_1", "table_1")), (fact, ("apple_1",)))
    assert goal_conditions(g, right) == [True, True, True]


def test_look_in_light_needs_lit_lamp_where_agent_stands() -> None:
    g = GameGoal(task_type=AlfredTaskType.LOOK_AT_IN_LIGHT, object_target="Apple", toggle_target="DeskLamp")
    holding = ("holds", ("agent1", "apple_1"))
    assert goal_conditions(g, facts(holding)) == [True, False]
    lit_elsewhere = facts(holding, ("istoggled", ("lamp_1",)), ("atlocation", ("agent1", "loc_2")))
    assert goal_conditions(g, lit_elsewhere) == [True, False]
    lit_here = facts(holding, ("istoggled", ("lamp_1",)), ("atlocation", ("agent1", "loc_1")))
    assert goal_conditions(g, lit_here) == [True, True]


def test_traj_data_round_trip_and_errors() -> None:
    g = goal(AlfredTaskType.COOL_AND_PLACE)
    assert GameGoal.from_traj_data(g.traj_data()) == g
    with pytest.raises(ValueError, match="pddl_params"):
        GameGoal.from_traj_data({"task_type": "pick_and_place_simple"})
    with pytest.raises(ValidationError, match="object_target is empty"):
        GameGoal(task_type=AlfredTaskType.PICK_AND_PLACE, object_target=" ")
