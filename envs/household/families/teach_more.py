"""TEACh's other task definitions that fit the household simulator, offered as families.

Clean X, Sliced X, Cooked Slice Of X, Omelette, Poach Egg, Toggle X All Y, and the task sets Tutorial, Basic Kitchen
Tasks and Custom Properties Kitchen Tasks; parameters are drawn from what the floor plan holds. Not offered:
Candles and Basic Bathroom Tasks (the simulator's candles cannot be lit), Workspace (no light switches).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from envs.household.expert import Solver
from envs.household.families import teach_steps as steps
from envs.household.families.base import KITCHEN, Draw, Family, Goal, pick_type
from envs.household.placement import FLOOR_LAMP_FURNITURE, LAMP_FURNITURE, Need
from envs.household.scenes import RoomType, Scene
from envs.teach.goal import TeachGoal
from envs.teach.properties import object_classes

COOKED_SLICES = ("Potato", "Bread")
LAMPS = {"DeskLamp": LAMP_FURNITURE, "FloorLamp": FLOOR_LAMP_FURNITURE}
LAMP_ROOMS = frozenset({RoomType.LIVING_ROOM, RoomType.BEDROOM})  # where the floor plans have lamps


# ---------------------------------------------------------------- expert steps
def _cut(s: Solver, obj: str, at: str) -> None:
    """Slice (or crack) ``obj`` where it lies (``at``: the static receptacle under it); the knife stays in hand,
    so a plan ends with the cut that meets its goal."""
    knife = s.of_type("Knife", "ButterKnife")[0]
    s.fetch(knife)
    s.goto(at)
    s.do(f"slice {s.t.name(obj)} with {s.t.name(knife)}")


def _cut_on_workspace(s: Solver, whole: str) -> None:
    ws = steps.workspace(s, whole, steps.SLICE.get(whole, "EggCracked"))
    obj = s.of_type(whole)[0]
    s.fetch(obj)
    s.put(ws)
    _cut(s, obj, ws)


def _cooked_slice(s: Solver, whole: str) -> None:
    if not s.of_type(steps.SLICE[whole]):
        _cut_on_workspace(s, whole)
    s.fetch(s.of_type(steps.SLICE[whole])[0])
    s.appliance("Microwave", "heat")


def _omelette(s: Solver) -> None:
    _cut_on_workspace(s, "Egg")
    s.fetch(s.of_type("EggCracked")[0])
    s.appliance("Microwave", "heat")


def _pot_of_water_on_burner(s: Solver) -> tuple[str, str]:
    pots = s.find(lambda o: o["objectType"] == "Pot" and not o["receptacleObjectIds"]) or s.of_type("Pot")
    pot, burner = pots[0], s.receptacles("StoveBurner")[0]
    s.clear(burner, keep=[pot])
    s.clear(pot)
    s.fetch(pot)
    s.appliance("SinkBasin", "fill")
    s.put(burner)
    return pot, burner


def _poach(s: Solver, pot: str, burner: str) -> None:
    egg = s.of_type("Egg")[0]
    s.fetch(egg)
    s.put(pot)
    _cut(s, egg, burner)
    s.toggle(burner, on=True)


# ---------------------------------------------------------------- families
def _clean_x() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        obj = pick_type(rng, [t for t in steps.WASHABLE if steps.spawnable_here(sc, t)])
        if obj is None or not steps.has(sc, "SinkBasin"):
            return None
        return Draw({"obj": obj}, [Need(obj, dirty=True)])

    def solve(s: Solver, goal: Goal) -> None:
        s.clean_dish(s.of_type(goal["obj"])[0])

    say = steps.say("Clean a {obj}.", "Rinse a dirty {obj}.")
    teach = TeachGoal("Clean X", lambda g: [g["obj"]])
    return Family("clean_x", "teach", KITCHEN, draw, say, None, solve, max_steps=40, teach=teach)


def _sliced_x(cooked: bool) -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        knife = steps.sharp_knife(sc)
        kinds = COOKED_SLICES if cooked else steps.SLICEABLE
        obj = pick_type(rng, [t for t in kinds if steps.spawnable_here(sc, t)])
        if knife is None or obj is None or (cooked and not steps.has(sc, "Microwave")):
            return None
        if not steps.workspace_ok(sc, [obj, steps.SLICE[obj], knife]):
            return None
        return Draw({"obj": obj}, [Need(obj), Need(knife)])

    def solve(s: Solver, goal: Goal) -> None:
        if cooked:
            _cooked_slice(s, goal["obj"])
        else:
            _cut_on_workspace(s, goal["obj"])

    if cooked:
        say = steps.say("Cook a slice of {obj}.", "Slice a {obj} and cook a slice.")
        teach = TeachGoal("Cooked Slice Of X", lambda g: [g["obj"]])
        return Family("cooked_slice_of_x", "teach", KITCHEN, draw, say, None, solve, max_steps=60, teach=teach)
    say = steps.say("Make a slice of {obj}.", "Slice a {obj}.")
    teach = TeachGoal("Sliced X", lambda g: [g["obj"]])
    return Family("sliced_x", "teach", KITCHEN, draw, say, None, solve, max_steps=40, teach=teach)


def _egg_draw(*extra: str):  # type: ignore[no-untyped-def]
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        knife = steps.knife_type(sc)
        if knife is None or not steps.has(sc, *extra) or not steps.spawnable_here(sc, "Egg"):
            return None
        if not steps.workspace_ok(sc, ["Egg", "EggCracked", knife]):
            return None
        pots = [Need("Pot")] if "StoveBurner" in extra else []
        return Draw({}, [Need("Egg"), Need(knife), *pots])

    return draw


def _toggle_all() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        present = [t for t, near in LAMPS.items() if t in sc.types and any(r.type in near for r in sc.receptacles)]
        if not present:
            return None
        return Draw({"state": "on", "cls": pick_type(rng, [*present, "Lamps"])})

    def solve(s: Solver, goal: Goal) -> None:
        for oid in s.find(lambda o: goal["cls"] in object_classes(o["objectType"])):
            s.toggle(oid, on=goal["state"] == "on")

    def params(goal: Goal) -> list[str]:
        return [goal["state"], "1" if goal["state"] == "on" else "0", goal["cls"]]

    def say(goal: Goal, rng: random.Random) -> str:
        what = "lamps" if goal["cls"] == "Lamps" else "the " + goal["cls"].lower() + "s"
        return rng.choice(("Turn {} all {}.", "Switch {} all {}.")).format(goal["state"], what)

    teach = TeachGoal("Toggle X All Y", params)
    return Family("toggle_x_all_y", "teach", LAMP_ROOMS, draw, say, None, solve, max_steps=40, teach=teach)


def _needs(*draws: Callable[[random.Random, Scene], Draw | None]) -> Callable[[random.Random, Scene], Draw | None]:
    """A task set's draw: every part's objects, or None when one part cannot be hosted."""

    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        needs: list[Need] = []
        for part in draws:
            d = part(rng, sc)
            if d is None:
                return None
            needs += d.needs
        return Draw({}, needs)

    return draw


def _cooked_potato_draw(rng: random.Random, sc: Scene) -> Draw | None:
    knife = steps.sharp_knife(sc)
    if knife is None or not steps.has(sc, "Microwave") or not steps.spawnable_here(sc, "Potato"):
        return None
    return (
        Draw({}, [Need("Potato"), Need(knife)]) if steps.workspace_ok(sc, ["Potato", "PotatoSliced", knife]) else None
    )


def _spatula_draw(rng: random.Random, sc: Scene) -> Draw | None:
    ok = steps.has(sc, "Drawer") and steps.spawnable_here(sc, "Spatula")
    return Draw({}, [Need("Spatula")]) if ok else None


def _boil_potato_draw(rng: random.Random, sc: Scene) -> Draw | None:
    ok = steps.has(sc, "StoveBurner", "SinkBasin") and steps.spawnable_here(sc, "Potato", "Pot")
    return Draw({}, [Need("Potato"), Need("Pot")]) if ok else None


def _tutorial(s: Solver, goal: Goal) -> None:
    steps.coffee(s)
    _cooked_slice(s, "Potato")


def _basic_kitchen(s: Solver, goal: Goal) -> None:
    steps.coffee(s)
    steps.plate_of_toast(s)
    _omelette(s)
    drawers = s.receptacles("Drawer")
    if not any(set(s.obj(x)["parentReceptacles"] or ()) & set(drawers) for x in s.of_type("Spatula")):
        s.fetch(s.of_type("Spatula")[0])
        s.put(drawers[0])


def _custom_properties(s: Solver, goal: Goal) -> None:
    pot, burner = _pot_of_water_on_burner(s)
    s.fetch(s.of_type("Potato")[0])
    s.put(pot)
    _poach(s, pot, burner)


def families() -> list[Family]:
    omelette = _egg_draw("Microwave")
    poach = _egg_draw("StoveBurner", "SinkBasin")
    sets = [
        ("tutorial", "Tutorial", _needs(steps.coffee_draw, _cooked_potato_draw), _tutorial, 100,
         "Make coffee in a clean mug and cook a slice of potato."),
        ("basic_kitchen_tasks", "Basic Kitchen Tasks",
         _needs(steps.coffee_draw, steps.toast_draw(["Plate"]), omelette, _spatula_draw), _basic_kitchen, 150,
         "Make coffee in a clean mug, a plate of toast and an omelette, and put a spatula in a drawer."),
        ("custom_properties_kitchen_tasks", "Custom Properties Kitchen Tasks", _needs(_boil_potato_draw, poach),
         _custom_properties, 80, "Boil a potato and poach an egg."),
    ]  # fmt: skip
    return [
        _clean_x(),
        _sliced_x(cooked=False),
        _sliced_x(cooked=True),
        Family(
            "omelette", "teach", KITCHEN, omelette, steps.say("Make an omelette.", "Cook a cracked egg."), None,
            lambda s, g: _omelette(s), max_steps=50, teach=TeachGoal("Omelette"),
        ),
        Family(
            "poach_egg", "teach", KITCHEN, poach, steps.say("Poach the egg.", "Poach an egg in boiling water."), None,
            lambda s, g: _poach(s, *_pot_of_water_on_burner(s)), max_steps=60, teach=TeachGoal("Poach Egg"),
        ),
        _toggle_all(),
        *(
            Family(name, "teach", KITCHEN, draw, steps.say(text), None, solve, max_steps=budget, teach=TeachGoal(d))
            for name, d, draw, solve, budget, text in sets
        ),
    ]  # fmt: skip
