"""Write an ALFWorld game (``game.tw-pddl`` + ``traj_data.json``) for a world arrangement and a goal.

The problem is what ALFRED's generator would have written for that arrangement: static receptacles with their
interaction locations (pose → ``loc|x|z|rot|horizon``), ``canContain`` and object properties from ALFWorld's own
tables (``alfworld/gen/constants.py``), the goal from ``alfworld/gen/goal_library.py``, ids mangled ALFRED's way.
Domain, grammar and goal templates come from the installed ``alfworld`` package; nothing else is needed.
Feasibility is checked before anything is written: a goal naming a receptacle type the scene lacks crashes the
planner (``KeyError: 'val1'``), so such a request fails here with a message instead.
"""

from __future__ import annotations

import json
from importlib import import_module
from importlib.resources import files
from pathlib import Path

from envs.alfworld.names import location_id, mangle
from envs.alfworld.tasks import AlfredTaskType, GameGoal
from envs.backend import ObjectInit, WorldInit
from envs.household.catalog import affordances
from envs.household.scenes import Scene, scene, tables

GAME_FILE = "game.tw-pddl"
TRAJ_FILE = "traj_data.json"
NEEDS_INSTALL = "install the alfworld extra: pip install -e '.[alfworld]'"

APPLIANCE = {
    AlfredTaskType.HEAT_AND_PLACE: ("Microwave", "Heatable"),
    AlfredTaskType.COOL_AND_PLACE: ("Fridge", "Coolable"),
    AlfredTaskType.CLEAN_AND_PLACE: ("SinkBasin", "Cleanable"),
}
"""The receptacle type a state-changing task needs, and ALFWorld's action class its object must belong to."""

_PROPERTY_CLASSES = (("heatable", "Heatable"), ("coolable", "Coolable"), ("cleanable", "Cleanable"),
                     ("sliceable", "Sliceable"), ("toggleable", "Toggleable"))  # fmt: skip


class InfeasibleGameError(ValueError):
    """The arrangement cannot host the goal (missing receptacle, object or appliance); nothing was written."""


def _alfworld_text(name: str) -> str:
    try:
        return files("alfworld").joinpath("data", name).read_text()
    except ModuleNotFoundError:
        raise ImportError(f"writing ALFWorld games needs the alfworld package; {NEEDS_INSTALL}") from None


def _goal_pddl(goal: GameGoal) -> str:
    library = import_module("alfworld.gen.goal_library").gdict
    template: str = library[goal.task_type.value]["pddl"]
    text = template.format(obj=goal.object_target, recep=goal.parent_target, toggle=goal.toggle_target,
                           mrecep="")  # fmt: skip
    return text.replace("#", "-")


def game_entities(init: WorldInit) -> list[str]:
    """The objectIds a generated game names (static receptacles, then placed objects), for :func:`display_names`."""
    room = scene(init.scene)
    parents = _static_parents(init, room)
    return [r.object_id for r in room.receptacles] + [o.object_id for o in init.objects if o.object_id in parents]


def start_location(init: WorldInit, room: Scene) -> str:
    """Where the agent starts: its pose's location, kept apart from every receptacle's.

    ALFWorld games open "in the middle of a room", and so does the household simulator even when the start pose
    happens to coincide with a receptacle's interaction pose; a separate location keeps the two in step.
    """
    start = location_id(init.agent)
    return start + "_bar_start" if start in {location_id(r.pose) for r in room.receptacles} else start


def _static_parents(init: WorldInit, room: Scene) -> dict[str, str]:
    """Each placed object's static receptacle: objects inside a plate or pot count as in the plate's receptacle.

    ALFWorld's domain has no nested containers, so nesting is flattened. Fixed objects standing by a receptacle
    (``near``) are placed in it only when they can be switched on (lamps): ALFWorld's ``use`` needs that.
    """
    static = {r.object_id for r in room.receptacles}
    by_id = {o.object_id: o for o in init.objects}
    parents: dict[str, str] = {}
    for obj in init.objects:
        parent = _resolve(obj, by_id, static)
        if parent is not None:
            parents[obj.object_id] = parent
    return parents


def _resolve(obj: ObjectInit, by_id: dict[str, ObjectInit], static: set[str]) -> str | None:
    seen: set[str] = set()
    current = obj
    while current.parent is not None:
        if current.parent in static:
            return current.parent
        if current.parent not in by_id or current.parent in seen:
            raise InfeasibleGameError(
                f"object {obj.object_id!r} lies in {current.parent!r}, which is neither a receptacle of "
                f"{obj.object_id.split('|')[0]}'s scene nor a placed object; fix the task's init"
            )
        seen.add(current.parent)
        current = by_id[current.parent]
    if (
        current.near is not None
        and current.near in static
        and current.object_type in tables().action_objects.get("Toggleable", frozenset())
    ):
        return current.near
    return None


def check_feasible(init: WorldInit, goal: GameGoal) -> None:
    """Raise :class:`InfeasibleGameError` naming what is missing, before the planner can crash on it."""
    room = scene(init.scene)
    t = tables()
    parents = _static_parents(init, room)
    placed_types = [o.object_type for o in init.objects if o.object_id in parents]
    where = f"{init.scene} ({room.category.value})"
    if room.category not in t.goals_valid.get(goal.task_type.value, frozenset()):
        raise InfeasibleGameError(f"ALFWorld never poses {goal.task_type.value} in a {room.category.value}: {where}")
    need = 2 if goal.task_type is AlfredTaskType.TWO_AND_PLACE else 1
    if placed_types.count(goal.object_target) < need:
        raise InfeasibleGameError(f"{where} holds {placed_types.count(goal.object_target)} placed "
                                  f"{goal.object_target}(s); the goal needs {need}")  # fmt: skip
    if not affordances(goal.object_target).pickupable:
        raise InfeasibleGameError(f"{goal.object_target} cannot be picked up, so no ALFWorld goal can move it")
    if goal.task_type is AlfredTaskType.LOOK_AT_IN_LIGHT:
        if goal.toggle_target not in placed_types:
            raise InfeasibleGameError(f"{where} has no reachable {goal.toggle_target or 'lamp'} to look under")
        return
    if goal.parent_target not in room.receptacle_types:
        raise InfeasibleGameError(f"{where} has no {goal.parent_target or 'target receptacle'}; "
                                  f"it has {', '.join(sorted(room.receptacle_types))}")  # fmt: skip
    if not t.accepts(goal.parent_target, goal.object_target):
        raise InfeasibleGameError(f"ALFWorld's {goal.parent_target} cannot contain a {goal.object_target}")
    if goal.task_type in APPLIANCE:
        appliance, action_class = APPLIANCE[goal.task_type]
        if appliance not in room.receptacle_types:
            raise InfeasibleGameError(f"{where} has no {appliance} for {goal.task_type.value}")
        if goal.object_target not in t.action_objects[action_class]:
            raise InfeasibleGameError(f"ALFWorld's {goal.object_target} is not {action_class.lower()}")


def problem_pddl(init: WorldInit, goal: GameGoal) -> str:
    """The PDDL problem for ``init`` and ``goal`` (checked with :func:`check_feasible` first)."""
    check_feasible(init, goal)
    room = scene(init.scene)
    t = tables()
    parents = _static_parents(init, room)
    objects = [o for o in init.objects if o.object_id in parents]
    static_types = sorted({r.type for r in room.receptacles} | set(t.receptacle_objects) - t.movable_receptacles)
    object_types = sorted({o.object_type for o in objects} | {goal.object_target})
    pose_of = {r.object_id: r.pose for r in room.receptacles}
    start = start_location(init, room)
    locations = sorted({location_id(r.pose) for r in room.receptacles} | {start})

    declared = ["agent1 - agent"]
    declared += [f"{ot}Type - otype" for ot in object_types]
    declared += [f"{rt}Type - rtype" for rt in static_types]
    declared += [f"{loc} - location" for loc in locations]
    declared += [f"{mangle(r.object_id)} - receptacle" for r in room.receptacles]
    declared += [f"{mangle(o.object_id)} - object" for o in objects]

    facts = [f"(atLocation agent1 {start})"]
    for r in room.receptacles:
        rid = mangle(r.object_id)
        facts += [f"(receptacleType {rid} {r.type}Type)", f"(receptacleAtLocation {rid} {location_id(r.pose)})"]
        if r.type in t.openable:
            facts.append(f"(openable {rid})")
            if r.object_id in init.opened:
                facts.append(f"(opened {rid})")
    for rt in static_types:
        facts += [f"(canContain {rt}Type {ot}Type)" for ot in object_types if t.accepts(rt, ot)]
    for o in objects:
        oid, parent = mangle(o.object_id), parents[o.object_id]
        facts += [f"(objectType {oid} {o.object_type}Type)", f"(inReceptacle {oid} {mangle(parent)})",
                  f"(objectAtLocation {oid} {location_id(pose_of[parent])})"]  # fmt: skip
        if affordances(o.object_type).pickupable:
            facts.append(f"(pickupable {oid})")
        if o.object_type in t.movable_receptacles:
            facts.append(f"(isReceptacleObject {oid})")
        facts += [f"({fact} {oid})" for fact, cls in _PROPERTY_CLASSES if o.object_type in t.action_objects[cls]]
        if o.toggled:
            facts.append(f"(isToggled {oid})")
    lines = [f"(define (problem {init.scene.lower()})", "    (:domain alfred)", "    (:objects"]
    lines += [f"        {d}" for d in declared]
    lines += ["    )", "    (:init"]
    lines += [f"        {f}" for f in facts]
    lines += ["    )", _goal_pddl(goal)]
    return "\n".join(lines) + "\n"


def write_game(init: WorldInit, goal: GameGoal, instruction: str, folder: Path) -> Path:
    """Write ``folder/game.tw-pddl`` and ``folder/traj_data.json``; returns the game path.

    ``instruction`` is what the grammar shows after "Your task is to:" (a trailing period is dropped: the
    grammar adds one). Raises :class:`InfeasibleGameError` before writing anything if the goal cannot be met.
    """
    problem = problem_pddl(init, goal)
    grammar = _alfworld_text("alfred.twl2").replace("UNKNOWN GOAL", instruction.strip().rstrip("."))
    game = {"pddl_domain": _alfworld_text("alfred.pddl"), "grammar": grammar, "pddl_problem": problem,
            "solvable": None, "walkthrough": None}  # fmt: skip
    traj = goal.traj_data() | {"scene": {"floor_plan": init.scene}}
    folder.mkdir(parents=True, exist_ok=True)
    game_path = folder / GAME_FILE
    (folder / TRAJ_FILE).write_text(json.dumps(traj, indent=1))
    game_path.write_text(json.dumps(game))
    return game_path
