"""Physics of the symbolic THOR world: each rule provoked through real THOR actions."""

from __future__ import annotations

import pytest
from household_kit import KITCHEN, obj, oid, recep, stand_at, world

from envs.backend import (
    THOR_AGENT_KEYS,
    THOR_METADATA_KEYS,
    THOR_OBJECT_KEYS,
    ObjectInit,
    WorldBackend,
    WorldInit,
)
from envs.household.world import HouseholdWorld

APPLE, MUG, BREAD, KNIFE, POT, POTATO = (oid(t) for t in ("Apple", "Mug", "Bread", "Knife", "Pot", "Potato"))


def act(w: HouseholdWorld, action: str, **args: object) -> dict:
    return dict(w.step({"action": action, **args}))


def take(w: HouseholdWorld, object_id: str, at: str, i: int = 0) -> None:
    stand_at(w, recep(at, i))
    meta = act(w, "PickupObject", objectId=object_id)
    assert meta["lastActionSuccess"], meta["errorMessage"]


def put(w: HouseholdWorld, rtype: str, i: int = 0) -> dict:
    r = recep(rtype, i)
    stand_at(w, r)
    return act(w, "PutObject", objectId=r.object_id)


def test_metadata_has_every_upstream_key() -> None:
    w = world(("Apple", "CounterTop"))
    assert isinstance(w, WorldBackend)
    meta = w.metadata
    assert set(THOR_METADATA_KEYS) <= set(meta)
    assert set(THOR_AGENT_KEYS) <= set(meta["agent"])
    assert all(set(THOR_OBJECT_KEYS) <= set(o) for o in meta["objects"])
    assert meta["sceneName"] == KITCHEN


def test_pickup_needs_visibility_and_an_empty_hand() -> None:
    w = world(("Apple", "CounterTop"), ("Mug", "CounterTop"))
    far = act(w, "PickupObject", objectId=APPLE)
    assert not far["lastActionSuccess"] and "not visible" in far["errorMessage"]
    take(w, APPLE, "CounterTop")
    assert obj(w, APPLE)["isPickedUp"] and obj(w, APPLE)["parentReceptacles"] is None
    assert w.metadata["inventoryObjects"] == [{"objectId": APPLE, "objectType": "Apple"}]
    second = act(w, "PickupObject", objectId=MUG)
    assert not second["lastActionSuccess"] and "already holding" in second["errorMessage"]
    assert recep("CounterTop").object_id not in (obj(w, APPLE)["parentReceptacles"] or [])
    assert APPLE not in obj(w, recep("CounterTop").object_id)["receptacleObjectIds"]


def test_closed_receptacles_gate_take_and_put() -> None:
    fridge = recep("Fridge").object_id
    w = world(("Apple", "Fridge"), ("Egg", "CounterTop"))
    stand_at(w, recep("Fridge"))
    assert not obj(w, APPLE)["visible"]
    assert not act(w, "PickupObject", objectId=APPLE)["lastActionSuccess"]
    assert act(w, "OpenObject", objectId=fridge)["lastActionSuccess"]
    assert not act(w, "OpenObject", objectId=fridge)["lastActionSuccess"]  # already open
    assert act(w, "PickupObject", objectId=APPLE)["lastActionSuccess"]
    assert act(w, "CloseObject", objectId=fridge)["lastActionSuccess"]
    closed = act(w, "PutObject", objectId=fridge)
    assert not closed["lastActionSuccess"] and "closed" in closed["errorMessage"]
    act(w, "OpenObject", objectId=fridge)
    assert act(w, "PutObject", objectId=fridge)["lastActionSuccess"]
    assert obj(w, APPLE)["parentReceptacles"] == [fridge]


def test_put_obeys_the_compatibility_table_and_capacity() -> None:
    w = world(("Apple", "CounterTop"), ("Mug", "CounterTop"), ("Mug", "CounterTop"))
    take(w, APPLE, "CounterTop")
    refused = put(w, "CoffeeMachine")
    assert not refused["lastActionSuccess"] and "cannot be placed" in refused["errorMessage"]
    put(w, "CounterTop")
    take(w, MUG, "CounterTop")
    assert put(w, "CoffeeMachine")["lastActionSuccess"]
    take(w, oid("Mug", 2), "CounterTop")
    full = put(w, "CoffeeMachine")
    assert not full["lastActionSuccess"] and "full" in full["errorMessage"]


def test_microwave_heats_only_when_closed_and_on() -> None:
    micro = recep("Microwave").object_id
    w = world(("Potato", "CounterTop"))
    take(w, POTATO, "CounterTop")
    stand_at(w, recep("Microwave"))
    act(w, "OpenObject", objectId=micro)
    act(w, "PutObject", objectId=micro)
    act(w, "ToggleObjectOn", objectId=micro)
    assert obj(w, POTATO)["ObjectTemperature"] == "RoomTemp"  # door open: no heating
    act(w, "ToggleObjectOff", objectId=micro)
    act(w, "CloseObject", objectId=micro)
    assert act(w, "ToggleObjectOn", objectId=micro)["lastActionSuccess"]
    potato = obj(w, POTATO)
    assert potato["ObjectTemperature"] == "Hot" and potato["isCooked"]
    assert not act(w, "ToggleObjectOn", objectId=micro)["lastActionSuccess"]  # already on


def test_fridge_cools_and_starts_cold() -> None:
    w = world(("Apple", "CounterTop"), ("Tomato", "Fridge"))
    assert obj(w, oid("Tomato"))["ObjectTemperature"] == "Cold"
    take(w, APPLE, "CounterTop")
    stand_at(w, recep("Fridge"))
    act(w, "OpenObject", objectId=recep("Fridge").object_id)
    act(w, "PutObject", objectId=recep("Fridge").object_id)
    assert obj(w, APPLE)["ObjectTemperature"] == "Cold"
    assert not obj(w, APPLE)["isCooked"]


def test_running_faucet_cleans_and_fills() -> None:
    basin = recep("SinkBasin")
    faucet = f"Faucet|{basin.object_id}"
    w = world(("Mug", "CounterTop", {"dirty": True}))
    assert obj(w, MUG)["isDirty"]
    take(w, MUG, "CounterTop")
    put(w, "SinkBasin")
    assert obj(w, MUG)["isDirty"]  # faucet still off
    assert act(w, "ToggleObjectOn", objectId=faucet)["lastActionSuccess"]
    mug = obj(w, MUG)
    assert not mug["isDirty"] and mug["isFilledWithLiquid"] and mug["fillLiquid"] == "water"


def test_toaster_toasts_bread_slices_and_coffee_machine_fills_mugs() -> None:
    w = world(("BreadSliced", "CounterTop", {"parent": recep("Toaster").object_id}), ("Mug", "CoffeeMachine"))
    stand_at(w, recep("Toaster"))
    act(w, "ToggleObjectOn", objectId=recep("Toaster").object_id)
    toast = obj(w, oid("BreadSliced"))
    assert toast["isCooked"] and toast["ObjectTemperature"] == "Hot"
    stand_at(w, recep("CoffeeMachine"))
    act(w, "ToggleObjectOn", objectId=recep("CoffeeMachine").object_id)
    assert obj(w, MUG)["fillLiquid"] == "coffee"


def test_stove_cooks_what_is_in_the_pot_on_it() -> None:
    w = world(("Pot", "CounterTop", {"liquid": "water"}), ("Potato", "CounterTop"))
    burner = recep("StoveBurner")
    take(w, POT, "CounterTop")
    put(w, "StoveBurner")
    take(w, POTATO, "CounterTop")
    stand_at(w, burner)
    assert act(w, "PutObject", objectId=POT)["lastActionSuccess"]
    assert obj(w, POTATO)["parentReceptacles"] == [POT, burner.object_id]
    assert not obj(w, POTATO)["isCooked"]
    act(w, "ToggleObjectOn", objectId=burner.object_id)
    assert obj(w, POTATO)["isCooked"] and obj(w, POT)["ObjectTemperature"] == "Hot"


def test_slicing_needs_a_knife_and_makes_pieces() -> None:
    w = world(("Bread", "CounterTop"), ("Knife", "CounterTop"), ("Apple", "CounterTop"))
    stand_at(w, recep("CounterTop"))
    refused = act(w, "SliceObject", objectId=BREAD)
    assert not refused["lastActionSuccess"] and "knife" in refused["errorMessage"]
    act(w, "PickupObject", objectId=APPLE)
    assert not act(w, "SliceObject", objectId=BREAD)["lastActionSuccess"]  # an apple is no knife
    act(w, "PutObject", objectId=recep("CounterTop").object_id)
    act(w, "PickupObject", objectId=KNIFE)
    assert act(w, "SliceObject", objectId=BREAD)["lastActionSuccess"]
    ids = [o["objectId"] for o in w.metadata["objects"]]
    assert BREAD not in ids
    pieces = [o for o in w.metadata["objects"] if o["objectType"] == "BreadSliced"]
    assert len(pieces) == 4 and all(p["parentReceptacles"] == [recep("CounterTop").object_id] for p in pieces)
    assert all(p["visible"] and p["isSliced"] for p in pieces)


def test_fill_empty_and_liquid_validation() -> None:
    w = world(("Cup", "CounterTop"), ("Apple", "CounterTop"))
    stand_at(w, recep("CounterTop"))
    cup = oid("Cup")
    assert act(w, "FillObjectWithLiquid", objectId=cup, fillLiquid="wine")["lastActionSuccess"]
    assert obj(w, cup)["fillLiquid"] == "wine"
    assert act(w, "EmptyLiquidFromObject", objectId=cup)["lastActionSuccess"]
    assert not act(w, "EmptyLiquidFromObject", objectId=cup)["lastActionSuccess"]
    assert not act(w, "FillObjectWithLiquid", objectId=APPLE, fillLiquid="water")["lastActionSuccess"]
    with pytest.raises(ValueError, match="fillLiquid"):
        act(w, "FillObjectWithLiquid", objectId=cup, fillLiquid="lava")


def test_bad_actions_raise_like_ai2thor() -> None:
    w = world(("Apple", "CounterTop"))
    with pytest.raises(ValueError, match="InvalidAction"):
        act(w, "Teleport2000")
    with pytest.raises(ValueError, match="MissingArguments"):
        act(w, "PickupObject")
    with pytest.raises(ValueError, match="InvalidArgument"):
        act(w, "TeleportFull", x="left")
    unknown = act(w, "OpenObject", objectId="Nope|1|2|3")
    assert not unknown["lastActionSuccess"] and "invalid" in unknown["errorMessage"]
    with pytest.raises(RuntimeError, match="reset"):
        HouseholdWorld().step({"action": "Pass"})


def test_reset_rejects_inconsistent_inits() -> None:
    w = HouseholdWorld()
    good = world(("Apple", "CounterTop"))
    init = WorldInit(scene=KITCHEN, objects=[], agent=(0.0, 0.0, 0, 0))
    with pytest.raises(ValueError, match="FloorPlan2"):
        w.reset("FloorPlan2", init=init)
    bad_parent = WorldInit(
        scene=KITCHEN,
        agent=(0.0, 0.0, 0, 0),
        objects=[ObjectInit(object_id="Apple|1|1|1", object_type="Apple", parent="Cabinet|9|9|9")],
    )
    with pytest.raises(ValueError, match="Cabinet"):
        w.reset(KITCHEN, init=bad_parent)
    orphan = WorldInit(
        scene=KITCHEN, agent=(0.0, 0.0, 0, 0), objects=[ObjectInit(object_id="Apple|1|1|1", object_type="Apple")]
    )
    with pytest.raises(ValueError, match="parent"):
        w.reset(KITCHEN, init=orphan)
    assert good.metadata["lastActionSuccess"]


def test_clone_is_independent_and_hash_tracks_state() -> None:
    w = world(("Apple", "CounterTop"))
    twin = w.clone()
    assert twin.state_hash() == w.state_hash()
    take(w, APPLE, "CounterTop")
    assert twin.state_hash() != w.state_hash()
    assert not obj(twin, APPLE)["isPickedUp"]
    w.close()
    w.close()  # twice is fine
