"""``HouseholdWorld``: the symbolic AI2-THOR world (an ``envs.backend.WorldBackend``).

State lives in THOR-shaped object dicts (``thor_objects``) that are updated in place, so producing metadata costs
nothing per step; ``metadata["objects"]`` is that live list (copy what you keep). Actions check AI2-THOR's
preconditions (visible, open, hand empty, receptacle accepts the object, capacity, knife in hand for slicing);
their effects on temperature, cleanliness and liquids follow ``physics``. Slicing replaces an object by its pieces.

Visibility is by place (``scenes.place``, ALFRED's location: a 0.25 m cell, a quarter turn, the camera horizon): the
agent sees the receptacles whose interaction poses share its place, what lies in them
(unless inside something closed), objects standing next to them, and what it holds. ``distance`` is kept
current for those visible objects only (others keep the value from when they were last in view), which saves
a pass over every object per move.

One module of ~430 lines on purpose: the action handlers share the live object index, the place and visibility
caches and the held-object state; split apart, each would reach into the others' private state.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from envs.backend import Metadata, WorldInit
from envs.household import catalog
from envs.household.catalog import CAPACITY, KNIVES, SLICES
from envs.household.physics import settle
from envs.household.scenes import Place, Scene, place, scene
from envs.household.thor_objects import LIQUIDS, Obj, copy_object, new_object, xyz


class ActionFailed(Exception):
    """Internal: a precondition did not hold; becomes ``lastActionSuccess=False`` with this message."""


class HouseholdWorld:
    """The built-in world backend. ``reset(scene, init=...)`` then ``step({"action": ..., ...})``."""

    def __init__(self) -> None:
        self._scene: Scene | None = None
        self._objects: list[Obj] = []
        self._by_id: dict[str, Obj] = {}
        self._pose_of: dict[str, Place] = {}  # static receptacle -> the place of its interaction pose
        self._at_pose: dict[Place, list[str]] = {}  # place -> static receptacles there
        self._loose: dict[Place, list[str]] = {}  # place -> objects standing there, in no receptacle
        self._faucet_of: dict[str, str] = {}  # sink basin -> faucet next to it
        self._visible: list[str] = []
        self._held: str | None = None
        self._agent_key: Place = (0, 0, 0, 0)
        self._meta: dict[str, Any] = {}
        self._handlers: dict[str, Callable[[Mapping[str, Any]], Any]] = {
            "TeleportFull": self._teleport, "PickupObject": self._pickup, "PutObject": self._put,
            "DropHandObject": self._drop, "OpenObject": self._open, "CloseObject": self._close,
            "ToggleObjectOn": self._toggle_on, "ToggleObjectOff": self._toggle_off, "SliceObject": self._slice,
            "CleanObject": self._clean, "DirtyObject": self._dirty, "FillObjectWithLiquid": self._fill,
            "EmptyLiquidFromObject": self._empty, "CookObject": self._cook,
            "GetReachablePositions": self._reachable, "Pass": lambda _: None, "Done": lambda _: None,
        }  # fmt: skip

    # ------------------------------------------------------------------ protocol
    def reset(self, scene_name: str, *, init: WorldInit) -> Metadata:
        if init.scene != scene_name:
            raise ValueError(f"init is for {init.scene!r} but reset was asked for {scene_name!r}")
        sc = scene(scene_name)
        self._scene = sc
        self._objects, self._by_id, self._faucet_of = [], {}, {}
        self._pose_of, self._at_pose, self._loose = {}, {}, {}
        self._visible, self._held = [], None
        for r in sc.receptacles:
            obj = new_object(r.object_id, r.type, r.position)
            self._add(obj)
            key = r.place
            self._pose_of[r.object_id] = key
            self._at_pose.setdefault(key, []).append(r.object_id)
        opened = set(init.opened)
        for oid in opened:
            self._require_known(oid, "init.opened")["isOpen"] = True
        for spec in init.objects:
            if spec.object_id in self._by_id:
                raise ValueError(f"init places {spec.object_id!r} twice (or over a receptacle of the scene)")
            anchor = spec.parent or spec.near
            if anchor is None:
                raise ValueError(f"init object {spec.object_id!r} needs a parent receptacle or a 'near' receptacle")
            base = self._require_known(anchor, f"parent/near of {spec.object_id!r}")["position"]
            obj = new_object(spec.object_id, spec.object_type, (base["x"], base["y"] + 0.05, base["z"]))
            obj["isDirty"] = spec.dirty and obj["dirtyable"]
            if spec.liquid is not None:
                if spec.liquid not in LIQUIDS or not obj["canFillWithLiquid"]:
                    raise ValueError(f"{spec.object_id!r} cannot hold liquid {spec.liquid!r}")
                obj["isFilledWithLiquid"], obj["fillLiquid"] = True, spec.liquid
            obj["isToggled"] = spec.toggled and obj["toggleable"]
            self._add(obj)
            if spec.parent is not None:
                self._insert(obj, self._by_id[spec.parent])
            else:
                self._loose.setdefault(self._anchor_pose(anchor), []).append(spec.object_id)
                if spec.object_type == "Faucet":
                    self._faucet_of[anchor] = spec.object_id
        for obj in self._objects:
            if obj["isColdSource"]:
                settle(self._by_id, self._faucet_of, obj)  # what starts in a fridge starts cold
        x, z, rot, horizon = init.agent
        self._meta = self._fresh_meta(sc.name)
        self._set_agent(x, z, rot, horizon)
        self._refresh_visible()
        return self._meta

    def step(self, action: Mapping[str, Any]) -> Metadata:
        if not self._meta:
            raise RuntimeError("call reset(scene, init=...) before step()")
        name = action.get("action")
        handler = self._handlers.get(name)  # type: ignore[arg-type]
        if handler is None:
            raise ValueError(f"InvalidAction: {name!r} is not an action of this world; known: {sorted(self._handlers)}")
        meta = self._meta
        meta["lastAction"], meta["actionReturn"] = name, None
        try:
            result = handler(action)
        except ActionFailed as exc:
            meta["lastActionSuccess"], meta["errorMessage"] = False, str(exc)
        else:
            meta["lastActionSuccess"], meta["errorMessage"], meta["actionReturn"] = True, "", result
            self._refresh_visible()
        meta["currentTime"] += 1.0
        return meta

    @property
    def metadata(self) -> Metadata:
        return self._meta

    def close(self) -> None:
        self._objects, self._by_id, self._meta = [], {}, {}

    def __enter__(self) -> HouseholdWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ snapshots
    def clone(self) -> HouseholdWorld:
        """An independent copy of the current state (for planning ahead without touching this world)."""
        other = HouseholdWorld()
        other._scene, other._held, other._agent_key = self._scene, self._held, self._agent_key
        other._objects = [copy_object(o) for o in self._objects]
        other._by_id = {o["objectId"]: o for o in other._objects}
        other._pose_of, other._at_pose = self._pose_of, self._at_pose  # static per scene, never mutated
        other._loose = {k: list(v) for k, v in self._loose.items()}
        other._faucet_of, other._visible = dict(self._faucet_of), list(self._visible)
        meta = dict(self._meta)
        meta["objects"] = other._objects
        meta["agent"] = json.loads(json.dumps(self._meta["agent"]))
        meta["inventoryObjects"] = [dict(i) for i in self._meta["inventoryObjects"]]
        other._meta = meta
        return other

    def state_hash(self) -> str:
        """A digest of everything that matters for behaviour (object states, places, agent pose)."""
        keys = (
            "objectId",
            "parentReceptacles",
            "isPickedUp",
            "isOpen",
            "isToggled",
            "isSliced",
            "isCooked",
            "isDirty",
            "fillLiquid",
            "ObjectTemperature",
            "visible",
        )
        state = [[o[k] for k in keys] for o in self._objects]
        blob = json.dumps([state, self._agent_key, self._held, sorted(self._loose.items())], sort_keys=True)
        return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()

    # ------------------------------------------------------------------ bookkeeping
    def _fresh_meta(self, scene_name: str) -> dict[str, Any]:
        return {
            "objects": self._objects, "agent": {}, "heldObjectPose": None, "inventoryObjects": [],
            "sceneName": scene_name, "lastAction": "Initialize", "lastActionSuccess": True, "errorMessage": "",
            "errorCode": "", "actionReturn": None, "screenWidth": 300, "screenHeight": 300, "agentId": 0, "fov": 90.0,
            "cameraPosition": xyz(0.0, 1.5, 0.0), "collided": False, "collidedObjects": [], "thirdPartyCameras": [],
            "isSceneAtRest": True, "sceneBounds": {"center": xyz(0.0, 1.5, 0.0), "size": xyz(10.0, 3.0, 10.0),
                                                   "cornerPoints": None},
            "currentTime": 0.0,
        }  # fmt: skip

    def _add(self, obj: Obj) -> None:
        self._objects.append(obj)
        self._by_id[obj["objectId"]] = obj

    def _require_known(self, object_id: str, what: str) -> Obj:
        try:
            return self._by_id[object_id]
        except KeyError:
            where = self._scene.name if self._scene else "the scene"
            raise ValueError(f"{what}: no object {object_id!r} in {where}") from None

    def _anchor_pose(self, object_id: str) -> Place:
        if object_id in self._pose_of:
            return self._pose_of[object_id]
        for key, ids in self._loose.items():
            if object_id in ids:
                return key
        parents = self._by_id[object_id]["parentReceptacles"]
        if parents:
            return self._pose_of[parents[-1]]
        raise ValueError(f"{object_id!r} is not anchored anywhere")

    def _insert(self, obj: Obj, container: Obj) -> None:
        container["receptacleObjectIds"].append(obj["objectId"])
        self._set_parents(obj, [container["objectId"], *(container["parentReceptacles"] or [])])
        pos = container["position"]
        obj["position"] = xyz(pos["x"], pos["y"] + 0.05, pos["z"])

    def _set_parents(self, obj: Obj, chain: list[str] | None) -> None:
        obj["parentReceptacles"] = chain
        if obj["receptacle"] and obj["receptacleObjectIds"]:
            for inner in obj["receptacleObjectIds"]:
                self._set_parents(self._by_id[inner], [obj["objectId"], *(chain or [])])

    def _detach(self, obj: Obj) -> None:
        parents = obj["parentReceptacles"]
        if parents:
            self._by_id[parents[0]]["receptacleObjectIds"].remove(obj["objectId"])
            self._set_parents(obj, None)
        else:
            for ids in self._loose.values():
                if obj["objectId"] in ids:
                    ids.remove(obj["objectId"])
                    break

    def _set_agent(self, x: float, z: float, rotation: float, horizon: float) -> None:
        self._agent_key = place((x, z, rotation, horizon))
        self._meta["agent"] = {
            "name": "agent", "position": xyz(x, 0.9, z), "rotation": xyz(0.0, float(rotation), 0.0),
            "cameraHorizon": float(horizon), "isStanding": True, "inHighFrictionArea": False,
        }  # fmt: skip
        self._meta["cameraPosition"] = xyz(x, 1.576, z)

    def _refresh_visible(self) -> None:
        """Recompute ``visible`` for the few objects around the agent (and clear it where it was)."""
        by_id = self._by_id
        for oid in self._visible:
            if oid in by_id:
                by_id[oid]["visible"] = False
        seen: list[str] = []
        stack = list(self._at_pose.get(self._agent_key, ()))
        seen.extend(self._loose.get(self._agent_key, ()))
        while stack:
            oid = stack.pop()
            seen.append(oid)
            obj = by_id[oid]
            if obj["receptacleObjectIds"] and (obj["isOpen"] or not obj["openable"]):
                stack.extend(obj["receptacleObjectIds"])
        if self._held is not None:
            seen.append(self._held)
        agent = self._meta["agent"]["position"]
        for oid in seen:
            obj = by_id[oid]
            obj["visible"] = True
            p = obj["position"]
            obj["distance"] = math.hypot(p["x"] - agent["x"], p["z"] - agent["z"])
        self._visible = seen

    # ------------------------------------------------------------------ argument helpers
    def _target(self, action: Mapping[str, Any], key: str = "objectId") -> Obj:
        oid = action.get(key)
        if not isinstance(oid, str):
            raise ValueError(f"MissingArguments: {action.get('action')} needs {key}=<objectId>")
        obj = self._by_id.get(oid)
        if obj is None:
            raise ActionFailed(f"Object ID appears to be invalid: {oid}")
        if not obj["visible"]:
            raise ActionFailed(f"{oid} is not visible")
        return obj

    def _held_obj(self, verb: str) -> Obj:
        if self._held is None:
            raise ActionFailed(f"cannot {verb}: the agent is not holding anything")
        return self._by_id[self._held]

    # ------------------------------------------------------------------ actions
    def _teleport(self, action: Mapping[str, Any]) -> None:
        try:
            x, z = float(action["x"]), float(action["z"])
            rotation = action.get("rotation", 0.0)
            rotation = float(rotation["y"] if isinstance(rotation, Mapping) else rotation)
            horizon = float(action.get("horizon", 30.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"InvalidArgument: TeleportFull needs numeric x, z, rotation, horizon ({exc})") from None
        self._set_agent(x, z, rotation, horizon)
        if self._held is not None:
            self._by_id[self._held]["position"] = xyz(x, 0.9, z)

    def _pickup(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["pickupable"]:
            raise ActionFailed(f"{obj['objectId']} must have the property pickupable to be picked up")
        if self._held is not None:
            raise ActionFailed(f"Agent's hand is already holding {self._held}")
        self._detach(obj)
        obj["isPickedUp"] = True
        self._held = obj["objectId"]
        self._meta["inventoryObjects"] = [{"objectId": obj["objectId"], "objectType": obj["objectType"]}]
        self._meta["heldObjectPose"] = {"position": dict(self._meta["agent"]["position"]), "rotation": xyz(0, 0, 0)}

    def _release(self) -> Obj:
        obj = self._by_id[self._held]  # type: ignore[index]
        obj["isPickedUp"] = False
        self._held = None
        self._meta["inventoryObjects"], self._meta["heldObjectPose"] = [], None
        return obj

    def _put(self, action: Mapping[str, Any]) -> None:
        held = self._held_obj("put")
        target = self._target(action)
        if not target["receptacle"]:
            raise ActionFailed(f"{target['objectId']} is not a receptacle")
        if target["openable"] and not target["isOpen"]:
            raise ActionFailed(f"{target['objectId']} is closed")
        if target["objectId"] == held["objectId"]:
            raise ActionFailed("cannot put an object into itself")
        if not catalog.accepts(target["objectType"], held["objectType"]):
            raise ActionFailed(f"{held['objectType']} cannot be placed in/on {target['objectType']}")
        if len(target["receptacleObjectIds"]) >= CAPACITY.get(target["objectType"], 1 << 30):
            raise ActionFailed(f"No valid positions to place object found: {target['objectId']} is full")
        self._release()
        self._insert(held, target)
        settle(self._by_id, self._faucet_of, target)

    def _drop(self, action: Mapping[str, Any]) -> None:
        obj = self._release()
        self._loose.setdefault(self._agent_key, []).append(obj["objectId"])

    def _open(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["openable"]:
            raise ActionFailed(f"{obj['objectId']} is not openable")
        if obj["isOpen"]:
            raise ActionFailed(f"{obj['objectId']} is already open")
        obj["isOpen"] = True

    def _close(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["openable"]:
            raise ActionFailed(f"{obj['objectId']} is not openable")
        if not obj["isOpen"]:
            raise ActionFailed(f"{obj['objectId']} is already closed")
        obj["isOpen"] = False
        settle(self._by_id, self._faucet_of, obj)

    def _toggle(self, action: Mapping[str, Any], on: bool) -> None:
        obj = self._target(action)
        if not obj["toggleable"]:
            raise ActionFailed(f"{obj['objectId']} is not toggleable")
        if obj["isToggled"] == on:
            raise ActionFailed(f"{obj['objectId']} is already {'on' if on else 'off'}")
        obj["isToggled"] = on
        if on:
            basin = next((b for b, f in self._faucet_of.items() if f == obj["objectId"]), None)
            settle(self._by_id, self._faucet_of, self._by_id[basin] if basin else obj)

    def _toggle_on(self, action: Mapping[str, Any]) -> None:
        self._toggle(action, True)

    def _toggle_off(self, action: Mapping[str, Any]) -> None:
        self._toggle(action, False)

    def _slice(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["sliceable"] or obj["isSliced"]:
            raise ActionFailed(f"{obj['objectId']} cannot be sliced")
        if obj["isPickedUp"]:
            raise ActionFailed("put the object down before slicing it")
        if self._held is None or self._by_id[self._held]["objectType"] not in KNIVES:
            raise ActionFailed("slicing needs a knife or butter knife in hand")
        piece_type, count = SLICES[obj["objectType"]]
        parents = obj["parentReceptacles"]
        loose_key = None if parents else self._anchor_pose(obj["objectId"])
        self._detach(obj)
        self._objects.remove(obj)
        del self._by_id[obj["objectId"]]
        self._meta["objects"] = self._objects = list(self._objects)  # a new list: the set of objects changed
        pos = obj["position"]
        for i in range(count):
            piece = new_object(f"{obj['objectId']}|{piece_type}_{i + 1}", piece_type, (pos["x"], pos["y"], pos["z"]))
            piece["isSliced"] = True
            piece["isDirty"] = obj["isDirty"] and piece["dirtyable"]
            piece["ObjectTemperature"] = obj["ObjectTemperature"]
            piece["isCooked"] = obj["isCooked"] and piece["cookable"]
            self._add(piece)
            if parents:
                self._insert(piece, self._by_id[parents[0]])
            else:
                self._loose.setdefault(loose_key, []).append(piece["objectId"])  # type: ignore[arg-type]

    def _clean(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["dirtyable"] or not obj["isDirty"]:
            raise ActionFailed(f"{obj['objectId']} is not dirty")
        obj["isDirty"] = False

    def _dirty(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["dirtyable"] or obj["isDirty"]:
            raise ActionFailed(f"{obj['objectId']} cannot be made dirty")
        obj["isDirty"] = True

    def _fill(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        liquid = action.get("fillLiquid")
        if liquid not in LIQUIDS:
            raise ValueError(f"InvalidArgument: fillLiquid must be one of {sorted(LIQUIDS)}, got {liquid!r}")
        if not obj["canFillWithLiquid"]:
            raise ActionFailed(f"{obj['objectId']} cannot be filled with liquid")
        obj["isFilledWithLiquid"], obj["fillLiquid"] = True, liquid

    def _empty(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["isFilledWithLiquid"]:
            raise ActionFailed(f"{obj['objectId']} is not filled with liquid")
        obj["isFilledWithLiquid"], obj["fillLiquid"] = False, None

    def _cook(self, action: Mapping[str, Any]) -> None:
        obj = self._target(action)
        if not obj["cookable"]:
            raise ActionFailed(f"{obj['objectId']} is not cookable")
        obj["isCooked"], obj["ObjectTemperature"] = True, "Hot"

    def _reachable(self, action: Mapping[str, Any]) -> list[dict[str, float]]:
        assert self._scene is not None
        spots = sorted({(r.pose[0], r.pose[1]) for r in self._scene.receptacles})
        return [xyz(x, 0.9, z) for x, z in spots]

    # ------------------------------------------------------------------ physics
