"""The fake player's world: ``envs.household.world.HouseholdWorld`` plus the few things a Unity player does
around its physics — listing scenes, loading one, ``InitialRandomSpawn`` and ``GetInteractablePoses``.

``InitialRandomSpawn(randomSeed)`` is a seeded arrangement of the scene's object types over receptacles that
accept them (ALFWorld's canContain); dirtyable things start dirty half the time, as several iTHOR scenes ship
dirty dishes. It is what this fake build "ships", not a model of Unity's spawner.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from envs.backend import ObjectInit, WorldInit
from envs.household.catalog import FIXED_TYPES, NEVER_SPAWNED, SLICE_SOURCE, accepts, affordances
from envs.household.scenes import Scene, scene, scene_names, tables
from envs.household.world import HouseholdWorld

ERROR_CODES = ("InvalidAction", "MissingArguments", "AmbiguousAction", "InvalidArgument")
NEAR = {"Faucet": ("SinkBasin",), "DeskLamp": ("Desk", "SideTable", "Dresser"), "FloorLamp": (), "HousePlant": ()}


def _thor_id(object_type: str, x: float, y: float, z: float) -> str:
    return f"{object_type}|{x:+06.2f}|{y:+06.2f}|{z:+06.2f}"


def spawn(sc: Scene, seed: int, agent: tuple[float, float, int, int]) -> WorldInit:
    """A seeded arrangement of ``sc``: each spawnable type once or twice, fixed objects by their anchors."""
    rng = random.Random(f"{sc.name}:{seed}")
    static = sc.receptacle_types
    objects: list[ObjectInit] = []
    used: set[str] = set()

    def new_id(object_type: str, anchor: tuple[float, float, float]) -> str:
        x, y, z = anchor
        while (oid := _thor_id(object_type, x, y, z)) in used:
            x, z = x + 0.07, z - 0.05
        used.add(oid)
        return oid

    for object_type in sorted(sc.types):
        if object_type in NEVER_SPAWNED - FIXED_TYPES or object_type in SLICE_SOURCE or object_type in static:
            continue
        if object_type in FIXED_TYPES:
            anchors = [r for r in sc.receptacles if r.type in NEAR.get(object_type, ())] or list(sc.receptacles)
            for r in anchors if object_type == "Faucet" else [rng.choice(anchors)]:
                objects.append(ObjectInit(object_id=new_id(object_type, r.position), object_type=object_type,
                                          near=r.object_id))  # fmt: skip
            continue
        if object_type not in tables().objects or not affordances(object_type).pickupable:
            continue
        homes = [r for r in sc.receptacles if accepts(r.type, object_type)]
        for _ in range(rng.choice((1, 1, 2)) if homes else 0):
            home = rng.choice(homes)
            dirty = affordances(object_type).dirtyable and rng.random() < 0.5
            objects.append(ObjectInit(object_id=new_id(object_type, home.position), object_type=object_type,
                                      parent=home.object_id, dirty=dirty))  # fmt: skip
    return WorldInit(scene=sc.name, objects=objects, agent=agent)


class PlayerWorld:
    """What the fake player's shell calls: scenes, load, configure, metadata, step."""

    def __init__(self) -> None:
        self.world = HouseholdWorld()
        self.params: dict[str, Any] = {}
        self.reset(self.scenes()[0])  # like Unity, the player has a scene loaded before the first Reset

    def scenes(self) -> list[str]:
        return scene_names()

    def _agent(self) -> tuple[float, float, int, int]:
        agent = self.world.metadata.get("agent")
        if not agent:
            return self._scene().start
        pos, rot = agent["position"], agent["rotation"]
        return (pos["x"], pos["z"], round(rot["y"]), round(agent["cameraHorizon"]))

    def _scene(self) -> Scene:
        return scene(self.world.metadata["sceneName"])

    def reset(self, scene_name: str) -> None:
        sc = scene(scene_name)
        self.world.reset(scene_name, init=spawn(sc, 0, sc.start))

    def configure(self, params: dict[str, Any]) -> None:
        self.params = params

    def metadata(self) -> dict[str, Any]:
        return dict(self.world.metadata)

    def _interactable_poses(self, object_id: str) -> list[dict[str, Any]]:
        sc = self._scene()
        by_id = {o["objectId"]: o for o in self.world.metadata["objects"]}
        chain = [object_id, *((by_id.get(object_id) or {}).get("parentReceptacles") or [])]
        poses = {r.object_id: r.pose for r in sc.receptacles}
        pose = next((poses[i] for i in reversed(chain) if i in poses), None)
        if pose is None:
            return []
        x, z, rotation, horizon = pose
        return [{"x": x, "y": 0.9, "z": z, "rotation": float(rotation), "horizon": float(horizon), "standing": True}]

    def step(self, action: Mapping[str, Any]) -> dict[str, Any]:
        name = action.get("action")
        if name == "InitialRandomSpawn":
            seed = int(action.get("randomSeed", 0))
            self.world.reset(self._scene().name, init=spawn(self._scene(), seed, self._agent()))
            return self._outcome(name, True, "", None)
        if name == "GetInteractablePoses":
            return self._outcome(name, True, "", self._interactable_poses(str(action.get("objectId"))))
        try:
            return dict(self.world.step(action)) | {"errorCode": ""}
        except ValueError as exc:
            code = next((c for c in ERROR_CODES if str(exc).startswith(c)), "InvalidArgument")
            return self._outcome(str(name), False, re.sub(r"^\w+: ", "", str(exc)), None, code)

    def _outcome(self, name: str, ok: bool, error: str, result: Any, code: str = "") -> dict[str, Any]:
        meta = dict(self.world.metadata)
        return meta | {"lastAction": name, "lastActionSuccess": ok, "errorMessage": error, "errorCode": code,
                       "actionReturn": result}  # fmt: skip


def make_world() -> PlayerWorld:
    return PlayerWorld()
