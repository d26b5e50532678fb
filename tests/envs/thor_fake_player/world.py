"""The fake player's world: ``envs.household.world.HouseholdWorld`` plus the few things a Unity player does
around its physics — listing scenes, loading one, ``InitialRandomSpawn`` and ``GetInteractablePoses``.

``InitialRandomSpawn(randomSeed)`` is the household simulator's own seeded arrangement
(``envs.household.placement.arrange`` with no task needs): what this fake build "ships", not Unity's spawner.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from typing import Any

from envs.backend import WorldInit
from envs.household.placement import arrange
from envs.household.scenes import Scene, scene, scene_names
from envs.household.world import HouseholdWorld

ERROR_CODES = ("InvalidAction", "MissingArguments", "AmbiguousAction", "InvalidArgument")


def spawn(sc: Scene, seed: int, agent: tuple[float, float, int, int]) -> WorldInit:
    """The arrangement ``InitialRandomSpawn(randomSeed=seed)`` produces in this fake build."""
    init = arrange(random.Random(f"{sc.name}:{seed}"), sc)
    assert init is not None  # no needs: every scene has an arrangement
    return init.model_copy(update={"agent": agent})


class PlayerWorld:
    """What the fake player's shell calls: scenes, load, configure, metadata, step."""

    def __init__(self, blocked: list[tuple[float, float, float]] | None = None) -> None:
        self.world = HouseholdWorld()
        self.blocked = blocked or []  # (x, z, radius): teleports there fail, as into furniture in Unity
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
        grid = float(self.params.get("gridSize", 0.25))
        return [  # the scene-data pose, and one grid step beside it (a second pose, as Unity usually finds)
            {"x": x + dx, "y": 0.9, "z": z, "rotation": float(rotation), "horizon": float(horizon), "standing": True}
            for dx in (0.0, grid)
        ]

    def step(self, action: Mapping[str, Any]) -> dict[str, Any]:
        name = action.get("action")
        if name == "InitialRandomSpawn":
            seed = int(action.get("randomSeed", 0))
            self.world.reset(self._scene().name, init=spawn(self._scene(), seed, self._agent()))
            return self._outcome(name, True, "", None)
        if name == "TeleportFull" and self._blocked(action):
            where = f"({action['x']}, {action['z']})"
            return self._outcome(name, False, f"Agent cannot be placed at {where}: blocked", None)
        if name == "GetInteractablePoses":
            return self._outcome(name, True, "", self._interactable_poses(str(action.get("objectId"))))
        try:
            return dict(self.world.step(action)) | {"errorCode": ""}
        except ValueError as exc:
            code = next((c for c in ERROR_CODES if str(exc).startswith(c)), "InvalidArgument")
            return self._outcome(str(name), False, re.sub(r"^\w+: ", "", str(exc)), None, code)

    def _blocked(self, action: Mapping[str, Any]) -> bool:
        try:
            x, z = float(action.get("x", 0.0)), float(action.get("z", 0.0))
        except (TypeError, ValueError):
            return False  # the world answers bad arguments itself
        return any(math.dist((x, z), (bx, bz)) <= radius for bx, bz, radius in self.blocked)

    def _outcome(self, name: str, ok: bool, error: str, result: Any, code: str = "") -> dict[str, Any]:
        meta = dict(self.world.metadata)
        return meta | {"lastAction": name, "lastActionSuccess": ok, "errorMessage": error, "errorCode": code,
                       "actionReturn": result}  # fmt: skip


def make_world(blocked: list[tuple[float, float, float]] | None = None) -> PlayerWorld:
    return PlayerWorld(blocked)
