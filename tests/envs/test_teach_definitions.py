"""Loading and binding TEACh's official task definitions."""

from __future__ import annotations

import json

import pytest

from envs.teach.definitions import DefinitionError, ObjectComponent, TaskComponent, definitions, parse

SAMPLE_PARAMS = {
    "Clean X": ["Mug"],
    "Sliced X": ["Apple"],
    "Cooked Slice Of X": ["Potato"],
    "N Cooked Slices Of X In Y": ["2", "Potato", "on", "Plate"],
    "N Slices Of X In Y": ["1", "Tomato", "in", "Bowl"],
    "Put All X On Y": ["Fork", "on", "CounterTop"],
    "Put All X In One Y": ["Pen", "in", "Drawer"],
    "Boil X": ["Potato"],
    "Clean All X": ["Plate"],
    "Toggle X All Y": ["off", "0", "Lamps"],
    "Breakfast": ["1", "1", "0", "Plate", "1", "Plate", "1", "1", "1", "1", "1", "1", "1", "CounterTop"],
    "Sandwich": ["1", "0"],
    "Salad": ["1", "1", "1"],
    "Workspace": ["1", "1", "1"],
}


def test_all_25_official_definitions_load_and_bind() -> None:
    defs = definitions()
    assert len(defs) == 25
    for name, d in defs.items():
        bound = defs.bind(name, SAMPLE_PARAMS.get(name, []))
        assert bound.task_id == d.task_id and "#" not in bound.desc, name
        for task in bound.walk():
            for c in task.components:
                assert "#" not in c.key and "#" not in c.determiner, (name, c)
                if isinstance(c, ObjectComponent):
                    assert not any("#" in str(v) for v in c.conditions.values()), (name, c)


def test_parameters_fill_highest_index_first_and_numeric_values_become_ints() -> None:
    bound = definitions().bind("Breakfast", SAMPLE_PARAMS["Breakfast"])
    spot = next(c for c in bound.components if c.key == "serving_spot")
    assert isinstance(spot, ObjectComponent) and spot.conditions["objectType"] == "CounterTop"  # #13, not #1 + "3"
    assert bound.relations[0].failure_desc == "All breakfast items need to be on the CounterTop."
    toggle = definitions().bind("Toggle X All Y", ["off", "0", "Lamps"])
    (lamps,) = toggle.components
    assert isinstance(lamps, ObjectComponent)
    assert lamps.conditions == {"simbotObjectClass": "Lamps", "isToggled": 0} and lamps.determiner == "all"
    assert toggle.desc == "Turn off all Lamps."


def test_task_components_get_the_parents_parameters() -> None:
    bound = definitions().bind("Breakfast", SAMPLE_PARAMS["Breakfast"])
    potatoes = next(c for c in bound.components if c.key == "potatoes")
    assert isinstance(potatoes, TaskComponent) and potatoes.determiner == "0"
    assert potatoes.task.name == "N Cooked Slices Of X In Y" and potatoes.task.params == ("2", "Potato", "on", "Plate")
    assert potatoes.task.anchor == "Plate"
    sliced = next(c for c in potatoes.task.components if c.key == "Potato")
    assert isinstance(sliced, TaskComponent) and sliced.determiner == "2" and sliced.task.params == ("Potato",)


def test_wrong_parameter_count_is_refused() -> None:
    with pytest.raises(DefinitionError, match="'Clean X' takes 1 parameters, got 0"):
        definitions().bind("Clean X", [])
    with pytest.raises(KeyError, match="unknown TEACh task 'Omelet'"):
        definitions().bind("Omelet")


def _definition(name: str, components: dict, relations: list | None = None, nparams: int = 0) -> str:
    return json.dumps({
        "task_id": abs(hash(name)) % 10_000, "task_name": name, "task_nparams": nparams, "task_anchor_object": None,
        "desc": name, "components": components, "relations": relations or [],
    })  # fmt: skip


def test_unknown_sub_task_cycle_and_bad_determiner_are_refused() -> None:
    with pytest.raises(DefinitionError, match="unknown task 'Nope'"):
        parse({"a.json": _definition("A", {"x": {"determiner": "a", "task_name": "Nope", "task_params": []}})})
    loop = {
        "a.json": _definition("A", {"x": {"determiner": "a", "task_name": "B", "task_params": []}}),
        "b.json": _definition("B", {"y": {"determiner": "a", "task_name": "A", "task_params": []}}),
    }
    with pytest.raises(DefinitionError, match="contains itself: A -> B -> A"):
        parse(loop)
    odd = _definition(
        "C",
        {"x": {"determiner": "#0", "primary_condition": "objectType", "instance_shareable": False,
               "conditions": {"objectType": "Mug"}, "condition_failure_descs": {}}},
        nparams=1,
    )  # fmt: skip
    with pytest.raises(DefinitionError, match="determiner 'some'"):
        parse({"c.json": odd}).bind("C", ["some"])
    with pytest.raises(DefinitionError, match="not a TEACh task definition"):
        parse({"d.json": '{"task_id": 1}'})
