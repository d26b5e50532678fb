"""TEACh's derived properties, kept by ``TeachWorld`` over the household world as actions happen."""

from __future__ import annotations

from envs.backend import ObjectInit, WorldInit
from envs.household.scenes import scene
from envs.household.text import TextLayer
from envs.household.world import HouseholdWorld
from envs.teach.properties import TeachWorld, object_classes

SC = scene("FloorPlan1")
BURNER, SINK = "StoveBurner|+01.50|+00.90|-01.25", "Sink|-01.90|+00.97|-01.50|SinkBasin"
COUNTER, COFFEE = "CounterTop|+00.69|+00.95|-02.48", "CoffeeMachine|+00.75|+00.90|+01.25"


def _world(*objects: ObjectInit) -> tuple[TextLayer, TeachWorld]:
    faucet = ObjectInit(object_id="Faucet|-01.90|+01.27|-01.50", object_type="Faucet", near=SINK)
    init = WorldInit(scene=SC.name, objects=[*objects, faucet], agent=SC.start)
    world = TeachWorld(HouseholdWorld())
    text = TextLayer(world)
    text.reset(init)
    return text, world


def _obj(text: TextLayer, object_id: str) -> dict:
    return next(o for o in text.metadata["objects"] if o["objectId"] == object_id)


def test_object_classes() -> None:
    assert object_classes("Mug") == ["Mug", "Drinkware", "Tableware"]
    assert object_classes("SinkBasin")[:2] == ["SinkBasin", "Sink"]
    assert "WritingUtensils" in object_classes("Pencil") and object_classes("Toilet") == ["Toilet", "WaterSources"]


def test_boiled_in_water_but_not_in_a_dry_pan() -> None:
    text, _ = _world(
        ObjectInit(object_id="Pot|1", object_type="Pot", parent=BURNER, liquid="water"),
        ObjectInit(object_id="Potato|1", object_type="Potato", parent="Pot|1"),
        ObjectInit(object_id="Potato|2", object_type="Potato", parent=COUNTER),
    )
    assert _obj(text, "Potato|1")["simbotObjectClass"] == ["Potato", "Food", "Vegetables"]
    assert "simbotIsBoiled" not in _obj(text, "Potato|1")
    assert text.step("go to stoveburner 1").ok and text.step("use stoveburner 1").ok
    boiled = _obj(text, "Potato|1")
    assert boiled["isCooked"] and boiled["simbotIsCooked"] and boiled["simbotIsBoiled"]
    text.step("go to microwave 1")
    text.step("go to countertop 1")
    assert text.step("take potato 2 from countertop 1").ok
    assert text.step("go to microwave 1").ok and text.step("heat potato 2 with microwave 1").ok
    heated = _obj(text, "Potato|2")
    assert heated["simbotIsCooked"] and "simbotIsBoiled" not in heated


def test_coffee_only_when_the_machine_fills_the_mug() -> None:
    text, _ = _world(
        ObjectInit(object_id="Mug|1", object_type="Mug", parent=COFFEE),
        ObjectInit(object_id="Mug|2", object_type="Mug", parent=COUNTER, liquid="water"),
    )
    assert text.step("go to coffeemachine 1").ok and text.step("use coffeemachine 1").ok
    assert _obj(text, "Mug|1")["simbotIsFilledWithCoffee"] is True
    assert "simbotIsFilledWithCoffee" not in _obj(text, "Mug|2")


def test_sink_water_and_slices_inherit_from_their_origin() -> None:
    text, world = _world(
        ObjectInit(object_id="Bowl|1", object_type="Bowl", parent=SINK),
        ObjectInit(object_id="Bread|1", object_type="Bread", parent=COUNTER),
        ObjectInit(object_id="Knife|1", object_type="Knife", parent=COUNTER),
    )
    assert text.step("go to sinkbasin 1").ok and text.step("use faucet 1").ok
    assert _obj(text, "Bowl|1")["simbotIsFilledWithWater"] == 1
    assert text.step("use faucet 1").ok and text.step("go to countertop 1").ok
    assert text.step("take knife 1 from countertop 1").ok
    assert _obj(text, "Knife|1")["simbotPickedUp"] == 1
    assert text.step("slice bread 1 with knife 1").ok
    piece = _obj(text, "Bread|1|BreadSliced_1")
    assert piece["simbotObjectClass"] == ["Bread", "Food"]  # TEACh copies the whole loaf's properties
    assert world.properties["Bread|1"] == {}
    assert text.step("move knife 1 to countertop 1").ok
    assert _obj(text, "Knife|1")["simbotLastParentReceptacle"] == COUNTER
