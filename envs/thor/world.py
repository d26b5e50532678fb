"""``ThorWorld``: the ``envs.backend.WorldBackend`` over a running AI2-THOR player.

The text layer and goal conditions speak scene-data ids (``envs.household.scenes``); a live AI2-THOR scene may
name a receptacle differently (ALFWorld's tables were made with older builds, and some receptacles are
``synthesized``). ``reset`` therefore maps each scene-data receptacle to the live object of its type nearest to its
coordinates, translates ids on the way out (actions) and back (metadata), and checks that the task's arrangement is
the one ``InitialRandomSpawn`` produced. ``TeleportFull`` to a pose the live scene rejects falls back to the
receptacle's interactable pose nearest to the one asked for, then to the nearest reachable position.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from typing import Any

from envs.backend import Metadata, WorldInit
from envs.household.scenes import scene as scene_data
from envs.thor.controller import ThorController
from envs.thor.options import ThorOptions
from envs.thor.pool import POOL

ID_FIELDS = ("objectId", "receptacleObjectId")


def spawn_action(seed: int) -> dict[str, Any]:
    """The ``InitialRandomSpawn`` every THOR episode and task sample starts from (ALFRED's arguments)."""
    return {
        "action": "InitialRandomSpawn",
        "randomSeed": seed,
        "forceVisible": True,
        "numPlacementAttempts": 5,
        "placeStationary": True,
    }


class ArrangementMismatchError(ValueError):
    """The task's initial arrangement is not what the live scene holds after the seeded spawn."""


def _xz(position: Mapping[str, float]) -> tuple[float, float]:
    return float(position["x"]), float(position["z"])


class IdMap:
    """Scene-data receptacle ids ↔ live objectIds (identity for everything else)."""

    def __init__(self, scene_name: str, objects: list[dict[str, Any]]) -> None:
        live_ids = {o["objectId"] for o in objects}
        self.to_live: dict[str, str] = {}
        self.unmatched: list[str] = []
        for rec in scene_data(scene_name).receptacles:
            if rec.object_id in live_ids:
                self.to_live[rec.object_id] = rec.object_id
                continue
            x, _, z = rec.position
            same_type = [o for o in objects if o["objectType"] == rec.type]
            taken = set(self.to_live.values())
            candidates = [o for o in same_type if o["objectId"] not in taken] or same_type
            if not candidates:
                self.unmatched.append(rec.object_id)
                continue
            best = min(candidates, key=lambda o: math.dist((x, z), _xz(o["position"])))
            self.to_live[rec.object_id] = best["objectId"]
        self.to_data = {live: data for data, live in self.to_live.items() if live != data}

    def action(self, action: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(action)
        for key in ID_FIELDS:
            if isinstance(out.get(key), str):
                out[key] = self.to_live.get(out[key], out[key])
        return out

    def metadata(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``meta`` with live receptacle ids replaced by scene-data ids."""
        out = dict(meta)
        if not self.to_data:
            return out
        d = self.to_data

        def ids(values: list[str] | None) -> list[str] | None:
            return None if values is None else [d.get(v, v) for v in values]

        objects = []
        for o in meta.get("objects") or ():
            o = dict(o)
            o["objectId"] = d.get(o["objectId"], o["objectId"])
            o["parentReceptacles"] = ids(o.get("parentReceptacles"))
            o["receptacleObjectIds"] = ids(o.get("receptacleObjectIds"))
            objects.append(o)
        out["objects"] = objects
        return out


class ThorWorld:
    """A ``WorldBackend`` driving AI2-THOR. ``spawn_seed`` chooses the ``InitialRandomSpawn`` of the next reset."""

    def __init__(
        self, options: ThorOptions | None = None, *, controller: ThorController | None = None, spawn_seed: int = 0
    ) -> None:
        self.options = controller.options if controller is not None else (options or ThorOptions())
        self._controller = controller
        self.spawn_seed = spawn_seed
        self.actions_sent = 0
        """THOR actions sent so far (lets the env tell a failed THOR action from a command that sent none)."""
        self._ids: IdMap | None = None
        self._meta: dict[str, Any] = {}
        self.fallbacks: list[dict[str, Any]] = []
        """Teleports that needed a fallback in this episode (asked pose → used pose), for ``info``."""

    @property
    def controller(self) -> ThorController:
        """The running controller; the player starts on first use, so building a world launches nothing."""
        if self._controller is None:
            self._controller = POOL.acquire(self.options) if self.options.reuse_player else ThorController(self.options)
        return self._controller

    # ------------------------------------------------------------------ protocol
    def reset(self, scene: str, *, init: WorldInit) -> Metadata:
        if init.scene != scene:
            raise ValueError(f"init is for {init.scene!r} but reset was asked for {scene!r}")
        self.spawn(scene, self.spawn_seed)
        self._check_arrangement(init)
        for receptacle in init.opened:
            if not any(o["objectId"] == receptacle and o["isOpen"] for o in self._meta["objects"]):
                self._act({"action": "OpenObject", "objectId": receptacle, "forceAction": True})
        x, z, rotation, horizon = init.agent
        self.fallbacks = []
        self.step({"action": "TeleportFull", "x": x, "z": z, "rotation": rotation, "horizon": horizon})
        return self._meta

    def spawn(self, scene: str, seed: int) -> Metadata:
        """Load ``scene`` and run the seeded ``InitialRandomSpawn``; metadata in scene-data ids (for sampling)."""
        self.controller.reset(scene)
        meta = self._checked(self.controller.step(spawn_action(seed)))
        self._ids = IdMap(scene, meta["objects"])
        self._meta = self._ids.metadata(meta)
        return self._meta

    def step(self, action: Mapping[str, Any]) -> Metadata:
        if self._ids is None:
            raise RuntimeError("call reset(scene, init=...) before step()")
        if action.get("action") == "TeleportFull":
            return self._teleport(action)
        return self._act(action)

    @property
    def metadata(self) -> Metadata:
        return self._meta

    def close(self) -> None:
        """Stop the player (or, with ``reuse_player``, hand it back to the pool); safe to call twice."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        if self.options.reuse_player:
            POOL.release(controller)
        else:
            controller.close()

    def __enter__(self) -> ThorWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def _act(self, action: Mapping[str, Any]) -> dict[str, Any]:
        assert self._ids is not None
        self.actions_sent += 1
        self._meta = self._ids.metadata(self.controller.step(self._ids.action(action)))
        return self._meta

    @staticmethod
    def _checked(meta: Mapping[str, Any]) -> Mapping[str, Any]:
        if not meta["lastActionSuccess"]:
            raise RuntimeError(f"{meta['lastAction']} failed in {meta['sceneName']}: {meta['errorMessage']}")
        return meta

    def _check_arrangement(self, init: WorldInit) -> None:
        """Every object the task names must be where the task says, or the goal is not the one sampled."""
        live = {o["objectId"]: o for o in self._meta["objects"]}
        for spec in init.objects:
            obj = live.get(spec.object_id)
            parents = (obj or {}).get("parentReceptacles") or []
            if obj is None:
                problem = f"{spec.object_id} is not in the live scene"
            elif spec.parent is not None and (not parents or parents[0] != spec.parent):
                problem = f"{spec.object_id} lies in {parents[0] if parents else 'nothing'}, not in {spec.parent}"
            else:
                continue
            raise ArrangementMismatchError(
                f"{problem}: the task was not sampled from InitialRandomSpawn(randomSeed={self.spawn_seed}) of this "
                "build; sample tasks with envs.thor.tasks.sample_tasks against the same build"
            )

    def _teleport(self, action: Mapping[str, Any]) -> dict[str, Any]:
        agent_y = float(self._meta["agent"]["position"]["y"])
        rotation = action.get("rotation", 0.0)
        yaw = float(rotation["y"] if isinstance(rotation, Mapping) else rotation)
        asked = {
            "action": "TeleportFull",
            "x": float(action["x"]),
            "y": agent_y,
            "z": float(action["z"]),
            "rotation": {"x": 0.0, "y": yaw, "z": 0.0},
            "horizon": float(action.get("horizon", 30.0)),
            "standing": bool(action.get("standing", True)),
        }
        meta = self._act(asked)
        if meta["lastActionSuccess"]:
            return meta
        failed = copy.deepcopy(meta)
        for pose in self._fallback_poses(asked):
            meta = self._act({"action": "TeleportFull", **pose})
            if meta["lastActionSuccess"]:
                self.fallbacks.append({"asked": asked, "used": pose})
                return meta
        self._meta = failed
        return failed

    def _fallback_poses(self, asked: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Interactable poses of the receptacle(s) at the asked pose, nearest first, then the nearest reachable
        position facing the receptacle. Lazy: each query is sent only when the poses before it failed."""
        assert self._ids is not None
        scene = scene_data(self._meta["sceneName"].removesuffix("_physics"))
        here = (asked["x"], asked["z"])
        targets = [r for r in scene.receptacles if math.dist(here, r.pose[:2]) < 1e-3]
        for rec in targets:
            if rec.object_id not in self._ids.to_live:
                continue
            answer = self._act({"action": "GetInteractablePoses", "objectId": rec.object_id, "standings": [True]})
            for p in sorted(answer.get("actionReturn") or [], key=lambda p: math.dist(here, (p["x"], p["z"])))[:3]:
                yield {"x": p["x"], "y": p["y"], "z": p["z"], "rotation": {"x": 0.0, "y": p["rotation"], "z": 0.0},
                       "horizon": p["horizon"], "standing": p["standing"]}  # fmt: skip
        reachable = self._act({"action": "GetReachablePositions"}).get("actionReturn") or []
        if reachable:
            gx, _, gz = targets[0].position if targets else (asked["x"], 0.0, asked["z"])
            p = min(reachable, key=lambda q: math.dist((gx, gz), (q["x"], q["z"])))
            yaw = round(math.degrees(math.atan2(gx - p["x"], gz - p["z"])) / 90) * 90 % 360
            yield {"x": p["x"], "y": p["y"], "z": p["z"], "rotation": {"x": 0.0, "y": float(yaw), "z": 0.0},
                   "horizon": 30.0, "standing": True}  # fmt: skip
