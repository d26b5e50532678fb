"""The TEACh "Two-Agent Task from Dialogue" (TfD) families, their goals TEACh's official task definitions.

Water Plant, Coffee, Toast, Plate Of Toast, Boil X, Clean All X, Put All X On Y, Put All X In One Y,
N Slices Of X In Y, N Cooked Slices Of X In Y, Sandwich, Salad, Breakfast. Each family draws the definition's
parameters from what the floor plan holds (``TeachGoal``: definition + parameters from the goal), so success and
goal-condition counts are TEACh's checker's (``envs.teach``); the expert recipes solve them in the household world.
"""

from __future__ import annotations

import random

from envs.household import catalog
from envs.household.expert import Solver
from envs.household.families import teach_steps as steps
from envs.household.families.base import ALL_ROOMS, KITCHEN, Draw, Family, Goal, lower, pick_type
from envs.household.placement import SURFACES, Need, homes
from envs.household.scenes import Scene
from envs.teach.goal import TeachGoal


# ---------------------------------------------------------------- families
def _water_plant() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        if "HousePlant" not in sc.types or not any(r.type in SURFACES for r in sc.receptacles):
            return None
        sink = steps.has(sc, "SinkBasin")
        carrier = pick_type(
            rng, [c for c in steps.WATER_CARRIERS if homes(sc, c) and (not sink or catalog.accepts("SinkBasin", c))]
        )
        if carrier is None:
            return None
        liquid = None if sink else "water"
        return Draw({"container": carrier}, [Need(carrier, liquid=liquid)])

    def solve(s: Solver, goal: Goal) -> None:
        plant = s.of_type("HousePlant")[0]
        carriers = s.find(
            lambda o: (
                o["objectType"] in steps.WATER_CARRIERS
                and not o["receptacleObjectIds"]
                and (o["fillLiquid"] == "water" or catalog.accepts("SinkBasin", o["objectType"]))
            )
        )
        carriers.sort(key=lambda oid: s.obj(oid)["fillLiquid"] != "water")
        s.fetch(carriers[0])
        if s.obj(carriers[0])["fillLiquid"] != "water":
            s.appliance("SinkBasin", "fill")
        s.pour_into(plant)

    say = steps.say("Water the plant.", "Please water the houseplant.")
    return Family("water_plant", "teach", ALL_ROOMS, draw, say, None, solve, teach=TeachGoal("Water Plant"))


def _coffee_family() -> Family:
    say = steps.say("Prepare coffee in a clean mug.", "Make a mug of coffee.")
    return Family(
        "coffee",
        "teach",
        KITCHEN,
        steps.coffee_draw,
        say,
        None,
        lambda s, g: steps.coffee(s),
        teach=TeachGoal("Coffee"),
    )


def _boil() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        if not steps.has(sc, "StoveBurner", "SinkBasin"):
            return None
        obj = pick_type(rng, [t for t in ("Potato", "Egg") if steps.spawnable_here(sc, t)])
        if obj is None or not steps.spawnable_here(sc, "Pot"):
            return None
        return Draw({"obj": obj}, [Need(obj), Need("Pot")])

    def solve(s: Solver, goal: Goal) -> None:
        pots = s.find(lambda o: o["objectType"] == "Pot" and not o["receptacleObjectIds"]) or s.of_type("Pot")
        pot = pots[0]
        burner = s.receptacles("StoveBurner")[0]
        s.clear(burner, keep=[pot])
        s.clear(pot)
        s.fetch(pot)
        s.appliance("SinkBasin", "fill")
        s.put(burner)
        s.fetch(s.of_type(goal["obj"])[0])
        s.put(pot)
        s.toggle(burner, on=True)

    say = steps.say("Boil a {obj}.", "Cook a {obj} in boiling water.")
    teach = TeachGoal("Boil X", lambda g: [g["obj"]])
    return Family("boil_x", "teach", KITCHEN, draw, say, None, solve, max_steps=80, teach=teach)


def _clean_all() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        obj = pick_type(rng, [t for t in steps.WASHABLE if steps.spawnable_here(sc, t)])
        if obj is None or not steps.has(sc, "SinkBasin"):
            return None
        return Draw({"obj": obj}, [Need(obj, rng.randint(2, 3), dirty=True)])

    def solve(s: Solver, goal: Goal) -> None:
        for oid in s.of_type(goal["obj"]):
            if s.obj(oid)["isDirty"]:
                s.clean_dish(oid)

    say = steps.say("Clean all the {obj}s.", "Rinse every dirty {obj}.")
    teach = TeachGoal("Clean All X", lambda g: [g["obj"]])
    return Family("clean_all_x", "teach", KITCHEN, draw, say, None, solve, max_steps=80, teach=teach)


def _put_all(one: bool) -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        obj = pick_type(rng, [t for t in steps.TIDY_OBJECTS if t in sc.types and homes(sc, t)])
        if obj is None:
            return None
        recep = pick_type(rng, sorted({r.type for r in homes(sc, obj)}))
        if recep is None or not homes(sc, obj, avoid=[recep]):
            return None
        return Draw({"obj": obj, "recep": recep}, [Need(obj, rng.randint(2, 3), avoid=frozenset({recep}))])

    def solve(s: Solver, goal: Goal) -> None:
        target = s.receptacles(goal["recep"])[0]
        for oid in s.of_type(goal["obj"]):
            if (s.obj(oid)["parentReceptacles"] or [None])[0] != target:
                s.fetch(oid)
                s.put(target)

    name = "put_all_x_in_one_y" if one else "put_all_x_on_y"
    say = steps.say("Put all {obj}s in one {recep}.") if one else steps.say("Put all {obj}s on any {recep}.")
    teach = TeachGoal(
        "Put All X In One Y" if one else "Put All X On Y", lambda g: [g["obj"], "in" if one else "on", g["recep"]]
    )
    return Family(name, "teach", ALL_ROOMS, draw, say, None, solve, max_steps=80, teach=teach)


def _slices_in(cooked: bool) -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        knife = steps.sharp_knife(sc)
        if knife is None or (cooked and not steps.has(sc, "Microwave")):
            return None
        obj = pick_type(rng, ["Potato"] if cooked else [t for t in steps.SLICEABLE if steps.spawnable_here(sc, t)])
        dish = pick_type(rng, [d for d in steps.DISHES if steps.spawnable_here(sc, d)])
        if obj is None or dish is None or not steps.spawnable_here(sc, obj) or not steps.has(sc, "SinkBasin"):
            return None
        if not steps.workspace_ok(sc, [obj, steps.SLICE[obj], knife, dish]):
            return None
        return Draw({"n": rng.randint(1, 2), "obj": obj, "recep": dish}, [Need(obj), Need(dish), Need(knife)])

    def solve(s: Solver, goal: Goal) -> None:
        ws = steps.workspace(s, goal["obj"], steps.SLICE[goal["obj"]])
        dish = steps.ready_dish(s, goal["recep"], ws)
        for piece in steps.slices(s, goal["obj"], ws)[: goal["n"]]:
            s.fetch(piece)
            if cooked:
                s.appliance("Microwave", "heat")
            s.put(dish)

    def params(goal: Goal) -> list[str]:
        return [str(goal["n"]), goal["obj"], "on" if goal["recep"] == "Plate" else "in", goal["recep"]]

    name = "n_cooked_slices_of_x_in_y" if cooked else "n_slices_of_x_in_y"
    text = (
        "Serve {n} cooked slice(s) of {obj} in a clean {recep}."
        if cooked
        else "Serve {n} slice(s) of {obj} in a clean {recep}."
    )
    teach = TeachGoal("N Cooked Slices Of X In Y" if cooked else "N Slices Of X In Y", params)
    return Family(name, "teach", KITCHEN, draw, steps.say(text), None, solve, max_steps=80, teach=teach)


def _sandwich() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        filling = pick_type(rng, [t for t in ("Lettuce", "Tomato") if steps.spawnable_here(sc, t)])
        base = steps.toast_draw([filling, "Plate"] if filling else ["Plate"])(rng, sc)
        if filling is None or base is None or not steps.has(sc, "SinkBasin") or steps.sharp_knife(sc) is None:
            return None
        return Draw({"filling": filling}, [*base.needs, Need("Knife")])

    def solve(s: Solver, goal: Goal) -> None:
        plate = steps.plate_of_toast(s, 2)
        ws = steps.workspace(s, goal["filling"], steps.SLICE[goal["filling"]])
        s.fetch(steps.slices(s, goal["filling"], ws)[0])
        s.put(plate)

    return Family(
        "sandwich",
        "teach",
        KITCHEN,
        draw,
        steps.say("Make a sandwich: two slices of toast and a slice of {filling} on a clean plate."),
        None,
        solve,
        max_steps=100,
        teach=TeachGoal("Sandwich", lambda g: ["1" if g["filling"] == k else "0" for k in ("Lettuce", "Tomato")]),
    )


SALADS = (("Lettuce", "Tomato"), ("Lettuce", "Tomato", "Potato"), ("Lettuce", "Potato"))


def _salad() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        parts = rng.choice(SALADS)
        knife = steps.sharp_knife(sc)
        if knife is None or not steps.has(sc, "SinkBasin") or ("Potato" in parts and not steps.has(sc, "Microwave")):
            return None
        if not steps.spawnable_here(sc, *parts, "Plate") or not steps.workspace_ok(
            sc, [*parts, *(steps.SLICE[p] for p in parts)]
        ):
            return None
        return Draw({"parts": list(parts)}, [Need(knife), Need("Plate"), *(Need(p) for p in parts)])

    def solve(s: Solver, goal: Goal) -> None:
        ws = steps.workspace(s, *goal["parts"], *(steps.SLICE[p] for p in goal["parts"]))
        plate = steps.ready_dish(s, "Plate", ws)
        for part in goal["parts"]:
            s.fetch(steps.slices(s, part, ws)[0])
            if part == "Potato":
                s.appliance("Microwave", "heat")
            s.put(plate)

    def say(goal: Goal, rng: random.Random) -> str:
        names = [("cooked " if p == "Potato" else "") + lower(p) for p in goal["parts"]]
        return f"Make a salad: a slice each of {', '.join(names[:-1])} and {names[-1]} on a clean plate."

    teach = TeachGoal("Salad", lambda g: steps.counts(g, "parts", ("Lettuce", "Tomato", "Potato")))
    return Family("salad", "teach", KITCHEN, draw, say, None, solve, max_steps=100, teach=teach)


SERVING = ("CounterTop", "DiningTable")


def _breakfast_params(goal: Goal) -> list[str]:
    """Breakfast's 14 parameters: one coffee, one plate of toast, nothing else, served on ``goal["serving"]``."""
    return ["1", "1", "0", "Plate", "0", "Plate", "0", "0", "0", "0", "0", "0", "0", goal["serving"]]


def _breakfast() -> Family:
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        coffee = _coffee_family().draw(rng, sc)
        toast = steps.toast_draw(["Plate"])(rng, sc)
        spots = [t for t in SERVING if steps.has(sc, t) and catalog.accepts(t, "Mug") and catalog.accepts(t, "Plate")]
        serving = pick_type(rng, spots)
        if coffee is None or toast is None or serving is None:
            return None
        return Draw({"serving": serving}, coffee.needs + toast.needs)

    def solve(s: Solver, goal: Goal) -> None:
        mug = steps.coffee(s)
        plate = steps.plate_of_toast(s)
        spot = s.receptacles(goal["serving"])[0]
        for item in (mug, plate):
            if (s.obj(item)["parentReceptacles"] or [None])[-1] != spot:
                s.fetch(item)
                s.put(spot)

    return Family(
        "breakfast",
        "teach",
        KITCHEN,
        draw,
        steps.say("Prepare breakfast: coffee in a clean mug and a plate of toast, served on the {serving}."),
        None,
        solve,
        max_steps=100,
        teach=TeachGoal("Breakfast", _breakfast_params),
    )


def _solve_toast(s: Solver, goal: Goal) -> None:
    steps.toast(s, 1, steps.workspace(s, "Bread", "BreadSliced"))


def _solve_plate_of_toast(s: Solver, goal: Goal) -> None:
    steps.plate_of_toast(s)


def families() -> list[Family]:
    return [
        _water_plant(),
        _coffee_family(),
        Family(
            "toast",
            "teach",
            KITCHEN,
            steps.toast_draw(),
            steps.say("Make a slice of toast.", "Toast a slice of bread."),
            None,
            _solve_toast,
            max_steps=60,
            teach=TeachGoal("Toast"),
        ),
        Family(
            "plate_of_toast",
            "teach",
            KITCHEN,
            steps.toast_draw(["Plate"]),
            steps.say("Make a plate of toast.", "Serve a slice of toast on a clean plate."),
            None,
            _solve_plate_of_toast,
            max_steps=80,
            teach=TeachGoal("Plate Of Toast"),
        ),
        _boil(),
        _clean_all(),
        _put_all(one=False),
        _put_all(one=True),
        _slices_in(cooked=False),
        _slices_in(cooked=True),
        _sandwich(),
        _salad(),
        _breakfast(),
    ]
