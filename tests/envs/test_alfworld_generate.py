"""Game generation: feasibility is checked before writing; the problem carries ALFRED's facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envs.alfworld.generate import InfeasibleGameError, check_feasible, problem_pddl, write_game
from envs.alfworld.names import location_id, mangle
from envs.alfworld.tasks import AlfredTaskType, GameGoal
from envs.backend import ObjectInit, WorldInit

FRIDGE = "Fridge|-02.10|+00.00|+01.09"
COUNTER = "CounterTop|+00.69|+00.95|-02.48"
MUG = "Mug|+00.10|+00.90|-02.40"
APPLE_IN_MUG = "Apple|+00.20|+00.90|-02.40"


def kitchen(*extra: ObjectInit) -> WorldInit:
    return WorldInit(scene="FloorPlan1", agent=(-0.25, -1.75, 0, 0), opened=[FRIDGE], objects=[
        ObjectInit(object_id="Apple|-00.47|+01.15|+00.48", object_type="Apple", parent=FRIDGE),
        ObjectInit(object_id=MUG, object_type="Mug", parent=COUNTER),
        ObjectInit(object_id=APPLE_IN_MUG, object_type="Apple", parent=MUG),
        *extra,
    ])  # fmt: skip


def heat(**kw: str) -> GameGoal:
    return GameGoal(**{"task_type": AlfredTaskType.HEAT_AND_PLACE, "object_target": "Apple",
                       "parent_target": "CounterTop"} | kw)  # fmt: skip


@pytest.mark.parametrize(("goal", "init", "message"), [
    (heat(parent_target="Bed"), kitchen(), "has no Bed"),
    (heat(object_target="Laptop"), kitchen(), "holds 0 placed Laptop"),
    (GameGoal(task_type=AlfredTaskType.TWO_AND_PLACE, object_target="Mug", parent_target="CounterTop"), kitchen(),
     "holds 1 placed Mug"),
    (GameGoal(task_type=AlfredTaskType.LOOK_AT_IN_LIGHT, object_target="Apple", toggle_target="DeskLamp"), kitchen(),
     "never poses look_at_obj_in_light in a Kitchen"),
    (heat(parent_target="CoffeeMachine"), kitchen(), "CoffeeMachine cannot contain a Apple"),
    (heat(), kitchen(ObjectInit(object_id="Egg|1|1|1", object_type="Egg", parent="Nowhere|0|0|0")),
     "neither a receptacle"),
])  # fmt: skip
def test_infeasible_goals_fail_before_writing(goal: GameGoal, init: WorldInit, message: str, tmp_path: Path) -> None:
    with pytest.raises(InfeasibleGameError, match=message):
        check_feasible(init, goal)
    with pytest.raises(InfeasibleGameError):
        write_game(init, goal, "anything", tmp_path / "g")
    assert not (tmp_path / "g").exists()


def test_appliance_and_object_class_are_checked() -> None:
    clean_mug = GameGoal(task_type=AlfredTaskType.CLEAN_AND_PLACE, object_target="Mug",
                                    parent_target="CounterTop")  # fmt: skip
    check_feasible(kitchen(), clean_mug)  # the kitchen has a sink basin; mugs are cleanable
    heat_mug = heat(object_target="Mug")
    check_feasible(kitchen(), heat_mug)  # ALFWorld's Heatable includes Mug
    with pytest.raises(InfeasibleGameError, match="not coolable"):
        check_feasible(kitchen(ObjectInit(object_id="Spatula|1|1|1", object_type="Spatula", parent=COUNTER)),
                       GameGoal(task_type=AlfredTaskType.COOL_AND_PLACE, object_target="Spatula",
                                parent_target="CounterTop"))  # fmt: skip


def test_problem_flattens_nesting_and_keeps_state() -> None:
    pytest.importorskip("alfworld", reason="install the alfworld extra: pip install -e '.[alfworld]'")
    text = problem_pddl(kitchen(), heat())
    apple, counter = mangle(APPLE_IN_MUG), mangle(COUNTER)
    assert f"(inReceptacle {apple} {counter})" in text  # the apple in the mug counts as on the counter
    assert f"(opened {mangle(FRIDGE)})" in text
    assert f"(atLocation agent1 {location_id((-0.25, -1.75, 0, 0))})" in text
    assert f"(heatable {apple})" in text and f"(isReceptacleObject {mangle(MUG)})" in text
    assert "(canContain CounterTopType AppleType)" in text
    assert "(isHot ?o)" in text and "CounterTopType" in text.split("(:goal")[1]


def test_write_game_files(tmp_path: Path) -> None:
    pytest.importorskip("alfworld", reason="install the alfworld extra: pip install -e '.[alfworld]'")
    path = write_game(kitchen(), heat(), "put a hot apple in countertop.", tmp_path)
    game = json.loads(path.read_text())
    assert set(game) >= {"pddl_domain", "grammar", "pddl_problem"}
    assert "Your task is to: put a hot apple in countertop." in game["grammar"]
    traj = json.loads((tmp_path / "traj_data.json").read_text())
    assert traj["task_type"] == "pick_heat_then_place_in_recep"
    assert traj["pddl_params"]["object_target"] == "Apple"
