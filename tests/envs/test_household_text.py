"""The ALFWorld text layer: wording, macros, admissible commands, and what bad input does (nothing)."""

from __future__ import annotations

import random

import pytest
from household_kit import oid, recep, text_layer
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.core import NOTHING_HAPPENS
from envs.household.text import MAX_COMMAND_CHARS, TextLayer


def run(t: TextLayer, *commands: str) -> str:
    out = ""
    for c in commands:
        r = t.step(c)
        assert r.ok, f"{c!r} failed: {r.feedback}; admissible: {t.admissible}"
        out = r.feedback
    return out


def test_opening_lists_receptacles_like_alfworld() -> None:
    t = text_layer(("Apple", "CounterTop"))
    look = t.step("look").feedback
    assert look.startswith("You are in the middle of a room. Looking quickly around you, you see a cabinet 1, ")
    assert ", and a " in look and look.endswith(".")
    assert "go to fridge 1" in t.admissible and "inventory" in t.admissible


def test_alfworld_feedback_wording() -> None:
    t = text_layer(("Apple", "CounterTop"), ("Mug", "Fridge"))
    assert run(t, "go to countertop 1") == "You arrive at countertop 1. On the countertop 1, you see a apple 1."
    assert run(t, "take apple 1 from countertop 1") == "You pick up the apple 1 from the countertop 1."
    assert run(t, "inventory") == "You are carrying: a apple 1."
    assert run(t, "go to fridge 1") == "You arrive at fridge 1. The fridge 1 is closed."
    assert run(t, "open fridge 1") == "You open the fridge 1. The fridge 1 is open. In it, you see a mug 1."
    assert run(t, "move apple 1 to fridge 1") == "You move the apple 1 to the fridge 1."
    assert run(t, "close fridge 1") == "You close the fridge 1."
    assert run(t, "inventory") == "You are not carrying anything."
    assert run(t, "look") == "You are facing the fridge 1. Next to it, you see nothing."


def test_put_in_on_aliases_and_case_and_spacing() -> None:
    for phrase in ("put apple 1 in countertop 2", "PUT  apple 1 on countertop 2.", "  move apple 1 to countertop 2 "):
        t = text_layer(("Apple", "CounterTop"))
        run(t, "go to countertop 1", "take apple 1 from countertop 1", "go to countertop 2")
        assert run(t, phrase) == "You move the apple 1 to the countertop 2."


def test_heat_cool_clean_slice_macros_change_state() -> None:
    t = text_layer(("Potato", "CounterTop", {"dirty": True}), ("Knife", "CounterTop"), ("Apple", "CounterTop"))
    run(t, "go to countertop 1", "take potato 1 from countertop 1", "go to microwave 1")
    assert run(t, "heat potato 1 with microwave 1") == "You heat the potato 1 using the microwave 1."
    assert "microwave 1 is closed" in run(t, "examine microwave 1")  # the door is restored
    run(t, "go to sinkbasin 1")
    assert run(t, "clean potato 1 with sinkbasin 1") == "You clean the potato 1 using the sinkbasin 1."
    assert run(t, "examine potato 1") == "This is a hot and clean and cooked potato 1."
    run(t, "go to countertop 1", "move potato 1 to countertop 1", "take apple 1 from countertop 1", "go to fridge 1")
    assert run(t, "cool apple 1 with fridge 1") == "You cool the apple 1 using the fridge 1."
    assert run(t, "examine apple 1").startswith("This is a cool")
    run(t, "go to countertop 1", "move apple 1 to countertop 1", "take knife 1 from countertop 1")
    assert run(t, "slice potato 1 with knife 1") == "You sliced the potato 1 with the knife 1."
    assert "slice potato 1 with knife 1" not in t.admissible
    listing = run(t, "examine countertop 1")
    assert "potato slice 1" in listing and "potato slice 3" in listing


def test_fill_pour_and_use() -> None:
    t = text_layer(("Cup", "CounterTop"), ("HousePlant", "CounterTop", {"parent": recep("CounterTop", 1).object_id}))
    run(t, "go to countertop 1", "take cup 1 from countertop 1", "go to sinkbasin 1")
    assert "use faucet 1" in t.admissible
    assert run(t, "fill cup 1 with sinkbasin 1") == "You fill the cup 1 with water using the sinkbasin 1."
    run(t, "go to countertop 2")
    assert run(t, "pour cup 1 into houseplant 1") == "You pour the water from the cup 1 into the houseplant 1."
    assert "examine houseplant 1" not in t.admissible  # as in ALFWorld: examine applies to the held object only
    plant = next(o for o in t.metadata["objects"] if o["objectType"] == "HousePlant")
    assert plant["isFilledWithLiquid"] and plant["fillLiquid"] == "water"
    run(t, "go to microwave 1")
    assert run(t, "use microwave 1") == "You turn on the microwave 1."
    assert run(t, "use microwave 1") == "You turn off the microwave 1."
    assert t.step("turn off microwave 1").feedback == NOTHING_HAPPENS  # already off
    assert run(t, "turn on microwave 1") == "You turn on the microwave 1."
    assert run(t, "toggle microwave 1") == "You turn off the microwave 1."
    assert t.step("turn on fridge 1").feedback == NOTHING_HAPPENS


def test_every_admissible_command_succeeds_in_random_play() -> None:
    rng = random.Random(4)
    t = text_layer(
        ("Apple", "Fridge"),
        ("Bread", "CounterTop"),
        ("Knife", "Drawer"),
        ("Mug", "Cabinet"),
        ("Pot", "StoveBurner"),
        ("Potato", "CounterTop", {"dirty": True}),
        ("Plate", "CounterTop"),
    )
    for _ in range(600):
        command = rng.choice(t.admissible)
        result = t.step(command)
        assert result.ok and result.feedback != NOTHING_HAPPENS, (command, result.feedback)
        assert t.backend.metadata["lastActionSuccess"], (command, t.backend.metadata["errorMessage"])


@pytest.mark.parametrize("bad", [
    "", "   ", "\n\t", "fly to the moon", "go to", "go to fridge", "go to fridge 99", "go to fridge 1 2",
    "take apple 7 from countertop 1", "take apple from countertop 1", "open", "open fridge -1", "open 1",
    "heat apple 1 with fridge 1", "slice apple 1 with apple 1", "take", "examine", "pour", "go to 冰箱 1",
    "ｇｏ ｔｏ ｆｒｉｄｇｅ １", "go to fridge 1\x00", "go to fridge 1; rm -rf /", "🍎", "x" * 10_000,
    "go to " + "fridge 1 " * 100,
])  # fmt: skip
def test_bad_commands_do_nothing(bad: str) -> None:
    t = text_layer(("Apple", "CounterTop"))
    before = (t.backend.state_hash(), list(t.admissible), t.location)  # type: ignore[attr-defined]
    result = t.step(bad)
    assert result.feedback == NOTHING_HAPPENS and not result.ok and not result.changed
    assert (t.backend.state_hash(), list(t.admissible), t.location) == before  # type: ignore[attr-defined]


def test_non_string_and_overlong_commands() -> None:
    t = text_layer(("Apple", "CounterTop"))
    assert t.step(None).feedback == NOTHING_HAPPENS  # type: ignore[arg-type]
    assert t.step(" " * MAX_COMMAND_CHARS + "look").feedback == NOTHING_HAPPENS
    assert t.step("look" + " " * 50).ok


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(command: str) -> None:
    t = _SHARED
    before = t.backend.state_hash()  # type: ignore[attr-defined]
    result = t.step(command)
    if not result.ok:
        assert result.feedback == NOTHING_HAPPENS
        assert t.backend.state_hash() == before  # type: ignore[attr-defined]


_SHARED = text_layer(("Apple", "CounterTop"), ("Knife", "CounterTop"))


def test_names_are_numbered_per_type() -> None:
    t = text_layer(("Apple", "CounterTop"), ("Apple", "CounterTop"), ("Mug", "CounterTop"))
    assert t.name(oid("Apple", 1)) == "apple 1" and t.name(oid("Apple", 2)) == "apple 2"
    assert t.object_id("mug 1") == oid("Mug")
    assert t.object_id("mug 2") is None


def test_receptacles_sharing_a_place_are_one_place() -> None:
    low, high = recep("Drawer", 0), recep("Drawer", 1)  # FloorPlan1: two drawers in one ALFRED location
    assert low.place == high.place
    t = text_layer(("Spoon", "Drawer", {"parent": high.object_id}))
    a, b = t.name(low.object_id), t.name(high.object_id)
    run(t, f"go to {a}")
    assert set(t.here) == {low.object_id, high.object_id}
    assert f"go to {b}" not in t.admissible and f"go to {a}" not in t.admissible
    assert t.step(f"go to {b}").feedback == NOTHING_HAPPENS  # as in ALFWorld: already there
    assert {f"open {a}", f"open {b}", f"examine {a}", f"examine {b}"} <= set(t.admissible)
    assert run(t, f"open {b}") == f"You open the {b}. The {b} is open. In it, you see a spoon 1."
    assert run(t, f"take spoon 1 from {b}") == f"You pick up the spoon 1 from the {b}."
    assert "examine spoon 1" in t.admissible and t.location == low.object_id
    run(t, "go to countertop 1")
    assert f"open {a}" not in t.admissible and f"go to {a}" in t.admissible and f"go to {b}" in t.admissible


def test_examine_is_offered_for_receptacles_here_and_the_held_object_only() -> None:
    t = text_layer(("Apple", "CounterTop"), ("Bowl", "CounterTop"))
    run(t, "go to countertop 1")
    assert "examine countertop 1" in t.admissible
    assert "examine apple 1" not in t.admissible and "examine bowl 1" not in t.admissible
    run(t, "take apple 1 from countertop 1")
    assert "examine apple 1" in t.admissible and "examine bowl 1" not in t.admissible
