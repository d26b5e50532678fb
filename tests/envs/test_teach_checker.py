"""TEACh's checker semantics, construct by construct, on hand-made THOR-shaped objects (counts worked by hand)."""

from __future__ import annotations

from typing import Any

from envs.teach.checker import check
from envs.teach.definitions import definitions
from envs.teach.properties import object_classes


def obj(object_id: str, parents: list[str] | None = None, **props: Any) -> dict[str, Any]:
    """A THOR-shaped object; the type comes from the id ("Mug#1", or "Bread|1|BreadSliced_1" for a slice)."""
    parts = object_id.split("|")
    object_type = parts[-1].split("_")[0] if len(parts) == 3 else parts[0].split("#")[0]
    base: dict[str, Any] = {
        "objectId": object_id, "objectType": object_type, "parentReceptacles": parents, "receptacle": False,
        "isDirty": False, "isCooked": False, "isToggled": False, "isOpen": False, "isFilledWithLiquid": False,
        "simbotObjectClass": object_classes(object_type),
    }  # fmt: skip
    base.update(props)
    return base


def recep(object_id: str, **props: Any) -> dict[str, Any]:
    return obj(object_id, receptacle=True, **props)


KITCHEN = [recep("CounterTop#1"), recep("CounterTop#2"), recep("SinkBasin#1"), recep("Drawer#1"), recep("Drawer#2")]
D = definitions()


def test_determiner_a_counts_conditions_of_the_best_candidate() -> None:
    coffee = D.bind("Coffee")
    good = obj("Mug#1", ["CounterTop#1"], simbotIsFilledWithCoffee=True)
    assert (r := check(coffee, [*KITCHEN, good])).success and (r.satisfied, r.total) == (3, 3)
    dirty = obj("Mug#1", ["CounterTop#1"], isDirty=True, simbotIsFilledWithCoffee=True)
    r = check(coffee, [*KITCHEN, dirty])
    assert not r.success and (r.satisfied, r.total) == (2, 3)
    assert r.failures() == ["The mug is dirty. Rinse with water."]
    empty = obj("Mug#1", ["CounterTop#1"])  # lacks simbotIsFilledWithCoffee: a missing property is not met
    r = check(coffee, [*KITCHEN, empty, dirty])
    assert (r.satisfied, r.total) == (2, 3)  # the dirty mug with coffee (2 met) outranks the clean empty one (2 met)
    assert (check(coffee, KITCHEN).satisfied, check(coffee, KITCHEN).total) == (0, 3)


def test_counts_and_slices_still_to_cut() -> None:
    task = D.bind("N Slices Of X In Y", ["2", "Apple", "in", "Bowl"])
    bowl = recep("Bowl#1", parentReceptacles=["CounterTop#1"])
    knife = obj("Knife#1", ["CounterTop#1"])
    two = [obj("Apple|1|AppleSliced_1", ["Bowl#1"]), obj("Apple|1|AppleSliced_2", ["Bowl#1"])]
    r = check(task, [*KITCHEN, bowl, knife, *two])
    # Sliced X ×2: 2 + knife 1; Clean X bowl: 2 + sink 2; relation: 2 slices in the bowl
    assert r.success and (r.satisfied, r.total) == (9, 9)
    r = check(task, [*KITCHEN, bowl, knife, two[0], obj("Apple|1|AppleSliced_2", ["CounterTop#1"])])
    assert not r.success and (r.satisfied, r.total) == (8, 9)
    assert r.failures() == ["The Apple slice needs to be in a clean Bowl."]
    r = check(task, [*KITCHEN, bowl, knife, obj("Apple#1", ["CounterTop#1"])])  # nothing sliced yet
    assert not r.success and (r.satisfied, r.total) == (5, 9)
    assert "The Apple needs to be sliced using a knife." in r.failures()


def test_a_whole_object_counts_as_one_missing_instance() -> None:
    """While a cooked whole potato could still be sliced, only one missing instance takes its conditions."""
    task = D.bind("N Cooked Slices Of X In Y", ["2", "Potato", "on", "Plate"])
    plate = recep("Plate#1", parentReceptacles=["CounterTop#1"])
    potatoes = [obj(f"Potato#{i}", ["CounterTop#1"], simbotIsCooked=True) for i in (1, 2)]
    r = check(task, [*KITCHEN, plate, obj("Knife#1", ["CounterTop#1"]), *potatoes])
    # Cooked Slice Of X ×2 (total 4): one whole cooked potato meets 1 (simbotIsCooked); knife 1/1;
    # Clean X 4/4; relation 0/2
    assert (r.satisfied, r.total) == (1 + 1 + 4 + 0, 4 + 1 + 4 + 2)


def test_all_determiner_counts_every_matching_object_and_accepts_none() -> None:
    task = D.bind("Clean All X", ["Plate"])
    plates = [recep("Plate#1", parentReceptacles=["CounterTop#1"]), recep("Plate#2", isDirty=True)]
    r = check(task, [*KITCHEN, *plates])
    assert not r.success and (r.satisfied, r.total) == (3 + 2, 4 + 2)
    assert r.failures() == ["The Plate is dirty. Rinse with water."]
    r = check(task, [*KITCHEN, plates[0]])
    assert r.success and (r.satisfied, r.total) == (2 + 2, 2 + 2)
    lamps = D.bind("Toggle X All Y", ["on", "1", "Lamps"])
    assert check(lamps, KITCHEN).success and check(lamps, KITCHEN).total == 0  # nothing of the class: vacuous
    r = check(lamps, [*KITCHEN, obj("DeskLamp#1", ["CounterTop#1"]), obj("FloorLamp#1", isToggled=True)])
    assert not r.success and (r.satisfied, r.total) == (3, 4) and r.failures() == ["The Lamps should be turned on."]


def test_tail_a_versus_tail_the() -> None:
    forks = [obj("Fork#1", ["Drawer#1"]), obj("Fork#2", ["Drawer#2"])]
    on_any = D.bind("Put All X On Y", ["Fork", "in", "Drawer"])
    r = check(on_any, [*KITCHEN, *forks])
    assert r.success and (r.satisfied, r.total) == (2 + 2, 2 + 2)  # a drawer (2 conditions, shared), 2 forks placed
    in_one = D.bind("Put All X In One Y", ["Fork", "in", "Drawer"])
    r = check(in_one, [*KITCHEN, *forks])
    assert not r.success and (r.satisfied, r.total) == (2 + 1, 2 + 2)  # the best drawer holds one of the two
    assert r.failures() == ["The Fork needs to be put into a single Drawer"]
    r = check(in_one, [*KITCHEN, obj("Fork#1", ["Drawer#2"]), forks[1]])
    assert r.success and (r.satisfied, r.total) == (4, 4)
    stray = obj("Fork#3", None)  # held: no parentReceptacles and no last receptacle
    r = check(on_any, [*KITCHEN, *forks, stray])
    assert not r.success and (r.satisfied, r.total) == (2 + 2, 2 + 3)


def test_nested_tasks_and_relations_to_their_anchor() -> None:
    task = D.bind("Plate Of Toast")
    toast = obj("Bread|1|BreadSliced_1", ["Plate#1", "CounterTop#1"], isCooked=True)
    clean = recep("Plate#1", parentReceptacles=["CounterTop#1"])
    r = check(task, [*KITCHEN, toast, clean])
    assert r.success and (r.satisfied, r.total) == (2 + 4 + 1, 7)
    dirty = recep("Plate#1", parentReceptacles=["CounterTop#1"], isDirty=True)
    r = check(task, [*KITCHEN, toast, dirty])  # no clean plate: the relation has no tail at all
    assert not r.success and (r.satisfied, r.total) == (2 + 3 + 0, 7)
    assert r.failures() == ["The Plate is dirty. Rinse with water.", "The toast needs to be on a clean plate."]
    r = check(task, [*KITCHEN, obj("Bread|1|BreadSliced_1", ["CounterTop#1"], isCooked=True), clean])
    assert (r.satisfied, r.total) == (6, 7) and r.failures() == ["The toast needs to be on a clean plate."]


def test_instances_multiply_down_nested_tasks() -> None:
    task = D.bind("Sandwich", ["1", "0"])
    plate = recep("Plate#1", parentReceptacles=["CounterTop#1"])
    toasts = [obj(f"Bread|1|BreadSliced_{i}", ["Plate#1"], isCooked=True) for i in (1, 2)]
    lettuce = obj("Lettuce|1|LettuceSliced_1", ["Plate#1"])
    knife = obj("Knife#1", ["Drawer#1"])
    r = check(task, [*KITCHEN, plate, *toasts, lettuce, knife])
    # toast ×2: 4; lettuce: 1 + knife 1; tomato skipped (0); plate: 4; relation: 2 toasts + 1 lettuce
    assert r.success and (r.satisfied, r.total) == (13, 13)
    r = check(task, [*KITCHEN, plate, toasts[0], lettuce, knife])
    assert not r.success and (r.satisfied, r.total) == (2 + 2 + 4 + 2, 13)


def test_zero_counts_switch_parts_off() -> None:
    params = ["1", "0", "0", "Plate", "0", "Plate", "0", "0", "0", "0", "0", "0", "0", "CounterTop"]
    task = D.bind("Breakfast", params)
    mug = obj("Mug#1", ["CounterTop#2"], simbotIsFilledWithCoffee=True)
    r = check(task, [*KITCHEN, mug])
    assert r.success and (r.satisfied, r.total) == (3 + 2 + 1, 6)  # coffee 3, a counter 2, the mug on a counter 1
    r = check(task, [*KITCHEN, obj("Mug#1", ["Drawer#1"], simbotIsFilledWithCoffee=True)])
    assert not r.success and r.failures() == ["All breakfast items need to be on the CounterTop."]


def test_sink_alias_and_last_receptacle_fallback() -> None:
    clean = D.bind("Clean X", ["Mug"])
    r = check(clean, [recep("SinkBasin#1"), obj("Mug#1", ["SinkBasin#1"])])
    assert r.success and (r.satisfied, r.total) == (4, 4)  # a SinkBasin is a "Sink"
    forks = D.bind("Put All X On Y", ["Fork", "in", "Drawer"])
    remembered = obj("Fork#1", None, simbotLastParentReceptacle="Drawer#1")
    assert check(forks, [*KITCHEN, remembered]).success


BREAKFAST = ["1", "1", "0", "Plate", "0", "Plate", "0", "0", "0", "0", "0", "0", "0", "CounterTop"]


def test_breakfast_partial_solutions_by_hand() -> None:
    """Breakfast (one coffee, one plate of toast, on a countertop) counts 14 goal conditions: Coffee 3; Plate Of
    Toast 7 (Toast 2, Clean X plate 2 + sink 2, toast on the plate 1); a countertop 2; each item on it 1 + 1."""
    task = D.bind("Breakfast", BREAKFAST)
    nothing_done = [
        *KITCHEN,
        obj("Mug#1", ["CounterTop#1"], isDirty=True),  # 1 of 3: only its type
        obj("Bread#1", ["CounterTop#1"]),  # could become toast but meets neither condition: 0 of 2
        recep("Plate#1", parentReceptacles=["CounterTop#2"], isDirty=True),  # Clean X 3 of 4; no clean plate: 0 of 1
    ]
    r = check(task, nothing_done)
    assert not r.success and (r.satisfied, r.total) == (1 + 3 + 2 + 0, 14)
    almost = [
        *KITCHEN,
        recep("CoffeeMachine#1"),
        obj("Mug#1", ["CoffeeMachine#1"], simbotIsFilledWithCoffee=True),  # 3 of 3, but not on a countertop
        obj("Bread|1|BreadSliced_1", ["Plate#1", "CounterTop#2"], isCooked=True),
        recep("Plate#1", parentReceptacles=["CounterTop#2"]),  # Plate Of Toast 7 of 7, its plate on a countertop
    ]
    r = check(task, almost)
    assert not r.success and (r.satisfied, r.total) == (3 + 7 + 2 + 1, 14)
    assert r.failures() == ["All breakfast items need to be on the CounterTop."]
    almost[-3] = obj("Mug#1", ["CounterTop#1"], simbotIsFilledWithCoffee=True)
    assert (r := check(task, almost)).success and (r.satisfied, r.total) == (14, 14)


def test_two_plates_of_toast_need_two_plates() -> None:
    """Instances multiply into a nested task: tail "the" then wants as many plates as plates of toast."""
    task = D.bind("Breakfast", ["0", "2", *BREAKFAST[2:]])
    toasts = [obj(f"Bread|1|BreadSliced_{i}", ["Plate#1"], isCooked=True) for i in (1, 2)]
    plates = [recep("Plate#1", parentReceptacles=["CounterTop#1"]), recep("Plate#2", parentReceptacles=["Drawer#1"])]
    r = check(task, [*KITCHEN, *toasts, *plates])
    # Plate Of Toast ×2: Toast 4/4, Clean X 6/6 (two plates 4 + shared sink 2), one plate holds toast 1/2;
    # a countertop 2/2; on it: one clean plate 1 of 2
    assert not r.success and (r.satisfied, r.total) == (4 + 6 + 1 + 2 + 1, 4 + 6 + 2 + 2 + 2)
    toasts[1] = obj("Bread|1|BreadSliced_2", ["Plate#2", "CounterTop#2"], isCooked=True)
    plates[1] = recep("Plate#2", parentReceptacles=["CounterTop#2"])
    assert (r := check(task, [*KITCHEN, *toasts, *plates])).success and r.satisfied == r.total == 16


def test_salad_partial_solution_by_hand() -> None:
    """Salad 1/1/1: lettuce 2 (slice + knife), tomato 2, cooked potato 3, Clean X plate 4, on the plate 3."""
    task = D.bind("Salad", ["1", "1", "1"])
    lettuce = [obj(f"Lettuce|1|LettuceSliced_{i}", ["Plate#1"] if i == 1 else ["CounterTop#1"]) for i in (1, 2, 3)]
    potato = [obj(f"Potato|1|PotatoSliced_{i}", ["Plate#1"] if i == 1 else ["CounterTop#1"]) for i in (1, 2, 3)]
    state = [
        *KITCHEN, recep("Plate#1", parentReceptacles=["CounterTop#1"]), obj("Knife#1", ["CounterTop#1"]),
        *lettuce, *potato, obj("Tomato#1", ["CounterTop#1"]),
    ]  # fmt: skip
    r = check(task, state)
    # lettuce 2/2; tomato whole: 0 + knife 1; potato slices lack simbotIsCooked: 1 + knife 1; plate 4/4;
    # on the plate: the lettuce slice 1, no tomato slice, no cooked potato slice
    assert not r.success and (r.satisfied, r.total) == (2 + 1 + 2 + 4 + 1, 14)
    assert r.failures() == [
        "The Tomato needs to be sliced using a knife.",
        "The Potato slice needs to be cooked.",
        "All salad components need to be on a plate.",
    ]
