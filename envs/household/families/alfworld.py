"""ALFWorld's six task types (``alfworld/gen/goal_library.py``), restricted to ALFWorld's valid room types.

Instructions use ALFWorld's English templates; goals follow its PDDL goals, written as conditions over THOR
metadata: "an X in/on an R", "a clean/hot/cool X in an R", "two X in an R", "holding X while a lamp is on".
"""

from __future__ import annotations

import random

from envs.backend import WorldInit
from envs.household import catalog, goals
from envs.household.catalog import affordances
from envs.household.expert import Solver
from envs.household.families.base import Draw, Family, Goal, lower, pick_type
from envs.household.goals import Condition, match
from envs.household.placement import Need, homes, spawnable
from envs.household.scenes import Scene, tables

LAMPS = ("DeskLamp", "FloorLamp")
# the sink basin cleans, the microwave heats, the fridge cools: putting the result back there is no task
# (and a fridge would cool a hot object again)
_NOT_TARGET = {"clean": ("SinkBasin",), "heat": ("Microwave", "Fridge"), "cool": ("Fridge",)}
_ACTION_CLASS = {"clean": "Cleanable", "heat": "Heatable", "cool": "Coolable"}
_APPLIANCE = {"clean": "SinkBasin", "heat": "Microwave", "cool": "Fridge"}
_TEMPLATES = {
    "pick_and_place_simple": ("put a {obj} in {recep}.", "put some {obj} on {recep}."),
    "pick_clean_then_place_in_recep": ("put a clean {obj} in {recep}.", "clean some {obj} and put it in {recep}."),
    "pick_heat_then_place_in_recep": ("put a hot {obj} in {recep}.", "heat some {obj} and put it in {recep}."),
    "pick_cool_then_place_in_recep": ("put a cool {obj} in {recep}.", "cool some {obj} and put it in {recep}."),
    "pick_two_obj_and_place": ("put two {obj} in {recep}.", "find two {obj} and put them in {recep}."),
    "look_at_obj_in_light": ("look at {obj} under the {toggle}.", "examine the {obj} with the {toggle}."),
}


def _candidates(sc: Scene, extra: frozenset[str] | None = None) -> list[str]:
    types = [t for t in sc.types if spawnable(t) and t not in catalog.FIXED_TYPES]
    if extra is not None:
        types = [t for t in types if t in extra]
    return [t for t in types if homes(sc, t)]


def _targets(sc: Scene, obj: str, exclude: tuple[str, ...] = ()) -> list[str]:
    return sorted({r.type for r in homes(sc, obj) if r.type not in exclude})


def _instruction(name: str) -> object:
    def write(goal: Goal, rng: random.Random) -> str:
        fields = {k: lower(v) for k, v in goal.items() if isinstance(v, str)}
        return rng.choice(_TEMPLATES[name]).format(**fields)

    return write


# ---------------------------------------------------------------- pick (state) and place
def _draw_place(state: str | None, count: int = 1):  # type: ignore[no-untyped-def]
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        extra = tables().action_objects[_ACTION_CLASS[state]] if state else None
        if state and not sc.receptacles_of(_APPLIANCE[state]):
            return None
        objs = _candidates(sc, extra)
        obj = pick_type(rng, objs)
        if obj is None:
            return None
        recep = pick_type(rng, _targets(sc, obj, _NOT_TARGET.get(state or "", ())))
        if recep is None:
            return None
        dirty = True if state == "clean" else None
        avoid = frozenset({recep, "Fridge"} if state == "cool" else {recep})
        if not homes(sc, obj, avoid=avoid):
            return None
        return Draw({"obj": obj, "recep": recep}, [Need(obj, count, dirty=dirty, avoid=avoid)])

    return draw


def _place_conditions(state: str | None, count: int = 1):  # type: ignore[no-untyped-def]
    def conditions(goal: Goal, init: WorldInit) -> list[Condition]:
        obj, recep = goal["obj"], goal["recep"]
        o, r = lower(obj), lower(recep)
        if state is None:
            if count == 1:
                return [goals.exists(f"a {o} is in/on a {r}", match(obj), where=[recep])]
            return [
                goals.filled_container(f"{k} {o} in/on one {r}", match(recep), [(match(obj), k)])
                for k in range(1, count + 1)
            ]
        what = {
            "clean": match(obj, clean=True),
            "heat": match(obj, temperature="Hot"),
            "cool": match(obj, temperature="Cold"),
        }[state]
        adjective = {"clean": "clean", "heat": "hot", "cool": "cool"}[state]
        return [
            goals.exists(f"a {o} is {adjective}", what),
            goals.exists(f"a {adjective} {o} is in/on a {r}", what, where=[recep]),
        ]

    return conditions


def _place_solver(state: str | None, count: int = 1):  # type: ignore[no-untyped-def]
    def solve(s: Solver, goal: Goal) -> None:
        obj, recep = goal["obj"], goal["recep"]
        target = s.receptacles(recep)[0]
        done = [o for o in s.of_type(obj) if target in (s.obj(o)["parentReceptacles"] or ())]
        for oid in s.of_type(obj, exclude=done)[: max(0, count - len(done))]:
            s.fetch(oid)
            if state is not None:
                s.appliance(_APPLIANCE[state], state)
            s.put(target)

    return solve


# ---------------------------------------------------------------- look at an object under a lamp
def _draw_look(rng: random.Random, sc: Scene) -> Draw | None:
    lamp = pick_type(rng, [t for t in LAMPS if t in sc.types])
    if lamp is None:
        return None
    objs = [t for t in _candidates(sc) if not affordances(t).receptacle]
    obj = pick_type(rng, objs)
    return None if obj is None else Draw({"obj": obj, "toggle": lamp}, [Need(obj)])


def _look_conditions(goal: Goal, init: WorldInit) -> list[Condition]:
    o, lamp = lower(goal["obj"]), lower(goal["toggle"])
    return [
        goals.exists(f"holding a {o}", match(goal["obj"], held=True)),
        goals.visible_toggled(f"a {lamp} is on where you stand", match(goal["toggle"])),
    ]


def _look_solver(s: Solver, goal: Goal) -> None:
    s.fetch(s.of_type(goal["obj"])[0])
    s.toggle(s.of_type(goal["toggle"])[0])


def _family(name: str, draw, conditions, solve) -> Family:  # type: ignore[no-untyped-def]
    return Family(
        name=name,
        source="alfworld",
        environments=tables().goals_valid[name],
        draw=draw,
        instruction=_instruction(name),
        conditions=conditions,
        solve=solve,
    )  # type: ignore[arg-type]


def families() -> list[Family]:
    return [
        _family("pick_and_place_simple", _draw_place(None), _place_conditions(None), _place_solver(None)),
        _family("look_at_obj_in_light", _draw_look, _look_conditions, _look_solver),
        *(
            _family(f"pick_{s}_then_place_in_recep", _draw_place(s), _place_conditions(s), _place_solver(s))
            for s in ("clean", "heat", "cool")
        ),
        _family("pick_two_obj_and_place", _draw_place(None, 2), _place_conditions(None, 2), _place_solver(None, 2)),
    ]
