"""Read a live AI2-THOR scene as the household layer's ``WorldInit``.

THOR tasks are sampled from what ``InitialRandomSpawn`` actually put where, so the arrangement is read back from
``event.metadata``: every pickupable or fixed object with its innermost receptacle (``parent``), or — when it lies
in none, like a faucet or a floor lamp — the scene receptacle nearest to it (``near``), plus its dirt, liquid and
switch state. Receptacle ids are already scene-data ids (``ThorWorld`` translates them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from envs.backend import ObjectInit, WorldInit
from envs.household.catalog import FIXED_TYPES
from envs.household.scenes import Scene

LIQUIDS = frozenset({"water", "coffee", "wine"})


def _agent_pose(meta: Mapping[str, Any]) -> tuple[float, float, int, int]:
    agent = meta["agent"]
    return (
        float(agent["position"]["x"]),
        float(agent["position"]["z"]),
        round(agent["rotation"]["y"]) % 360,
        round(agent["cameraHorizon"]),
    )


def live_init(sc: Scene, meta: Mapping[str, Any], *, agent: tuple[float, float, int, int] | None = None) -> WorldInit:
    """The arrangement the live metadata shows, as a ``WorldInit`` the household world and goals understand.

    Objects come parents first (a plate before the apple on it). A parent that is neither a scene receptacle nor
    a listed object (a live-only receptacle) is skipped in favour of the next one out, or ``near`` as a last resort.
    """
    static = {r.object_id for r in sc.receptacles}
    listed = [
        o for o in meta["objects"]
        if o["objectId"] not in static and (o["pickupable"] or o["objectType"] in FIXED_TYPES)
        and not o.get("isPickedUp")
    ]  # fmt: skip
    known = static | {o["objectId"] for o in listed}
    objects: list[tuple[int, ObjectInit]] = []
    for o in listed:
        chain = [p for p in (o.get("parentReceptacles") or []) if p in known]
        parent = chain[0] if chain else None
        near = None
        if parent is None:
            x, z = float(o["position"]["x"]), float(o["position"]["z"])
            near = min(sc.receptacles, key=lambda r: math.dist((x, z), (r.position[0], r.position[2]))).object_id
        liquid = o.get("fillLiquid") if o.get("isFilledWithLiquid") else None
        spec = ObjectInit(
            object_id=o["objectId"], object_type=o["objectType"], parent=parent, near=near,
            dirty=bool(o.get("isDirty")), liquid=liquid if liquid in LIQUIDS else None,
            toggled=bool(o.get("isToggled")),
        )  # fmt: skip
        objects.append((len(chain), spec))
    objects.sort(key=lambda item: item[0])  # stable: parents (shallower) first
    opened = sorted(oid for oid in static if _by_id(meta).get(oid, {}).get("isOpen"))
    return WorldInit(scene=sc.name, objects=[spec for _, spec in objects], opened=opened,
                     agent=agent or _agent_pose(meta))  # fmt: skip


def _by_id(meta: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {o["objectId"]: o for o in meta["objects"]}
