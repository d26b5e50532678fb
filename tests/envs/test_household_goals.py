"""Goal-condition helpers over THOR-shaped metadata (plain dicts, as real AI2-THOR returns)."""

from __future__ import annotations

from typing import Any

from envs.household import goals
from envs.household.goals import match


def thing(oid: str, otype: str, parents: list[str] | None = None, **state: Any) -> dict[str, Any]:
    base = {
        "objectId": oid,
        "objectType": otype,
        "parentReceptacles": parents,
        "isDirty": False,
        "isCooked": False,
        "ObjectTemperature": "RoomTemp",
        "fillLiquid": None,
        "isPickedUp": False,
        "isToggled": False,
        "visible": False,
    }
    return base | state


PLATE = "Plate|1|1|1"
COUNTER = "CounterTop|0|1|0"


def test_type_of_id_reads_thor_ids() -> None:
    assert goals.type_of_id("Sink|-01.90|+00.97|-01.50|SinkBasin") == "SinkBasin"
    assert goals.type_of_id("Apple|+00.1|+00.9|+00.0|AppleSliced_2") == "AppleSliced"
    assert goals.type_of_id("Fridge|-02.10|+00.00|+01.09") == "Fridge"


def test_match_and_exists_with_nesting() -> None:
    apple = thing("A", "Apple", [PLATE, COUNTER], ObjectTemperature="Hot")
    meta = {"objects": [apple, thing(PLATE, "Plate", [COUNTER])]}
    assert goals.exists("hot apple on counter", match("Apple", temperature="Hot"), where=["CounterTop"])(meta)
    assert not goals.exists("cold apple", match("Apple", temperature="Cold"))(meta)
    assert not goals.exists("two apples", match("Apple"), at_least=2)(meta)
    assert goals.in_type(meta["objects"][0], frozenset({"Plate"}))


def test_filled_container_counts_direct_contents_of_one_container() -> None:
    toast = match("BreadSliced", cooked=True)
    meta = {
        "objects": [
            thing(PLATE, "Plate", [COUNTER]),
            thing("Plate|2|2|2", "Plate", [COUNTER], isDirty=True),
            thing("B1", "BreadSliced", [PLATE, COUNTER], isCooked=True),
            thing("B2", "BreadSliced", ["Plate|2|2|2", COUNTER], isCooked=True),
        ]
    }
    one = goals.filled_container("a clean plate with toast", match("Plate", clean=True), [(toast, 1)])
    two = goals.filled_container("a clean plate with two toasts", match("Plate", clean=True), [(toast, 2)])
    assert one(meta) and not two(meta)


def test_object_state_and_visible_lamp() -> None:
    meta = {"objects": [thing("M", "Mug", isDirty=True), thing("L", "DeskLamp", isToggled=True, visible=True)]}
    assert not goals.object_state("mug clean", "M", lambda o: not o["isDirty"])(meta)
    assert not goals.object_state("gone", "X", lambda o: True)(meta)
    lamp = goals.visible_toggled("lamp on", match("DeskLamp"))
    assert lamp.spatial and lamp(meta)
    assert goals.evaluate([lamp], meta) == [True]
