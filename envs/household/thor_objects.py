"""THOR-shaped object dicts: every key of ai2thor's object metadata, filled from the type's affordances."""

from __future__ import annotations

from typing import Any

from envs.household.catalog import affordances

Obj = dict[str, Any]
LIQUIDS = frozenset({"water", "coffee", "wine"})


def xyz(x: float, y: float, z: float) -> dict[str, float]:
    return {"x": x, "y": y, "z": z}


def new_object(object_id: str, object_type: str, position: tuple[float, float, float]) -> Obj:
    a = affordances(object_type)
    pos = xyz(*position)
    return {
        "name": object_id.replace("|", "_"), "objectId": object_id, "objectType": object_type,
        "position": pos, "rotation": xyz(0.0, 0.0, 0.0), "visible": False, "obstructed": False, "distance": 0.0,
        "receptacle": a.receptacle, "receptacleObjectIds": [] if a.receptacle else None, "parentReceptacles": None,
        "pickupable": a.pickupable, "isPickedUp": False, "moveable": a.pickupable, "openable": a.openable,
        "isOpen": False, "toggleable": a.toggleable, "isToggled": False, "sliceable": a.sliceable, "isSliced": False,
        "cookable": a.cookable, "isCooked": False, "dirtyable": a.dirtyable, "isDirty": False,
        "canFillWithLiquid": a.fillable, "isFilledWithLiquid": False, "fillLiquid": None, "breakable": a.breakable,
        "isBroken": False, "canBeUsedUp": a.used_up, "isUsedUp": False, "isHeatSource": a.heat_source,
        "isColdSource": a.cold_source, "ObjectTemperature": "RoomTemp", "mass": a.mass,
        "salientMaterials": list(a.materials), "isMoving": False,
        "axisAlignedBoundingBox": {"center": dict(pos), "size": xyz(0.2, 0.2, 0.2), "cornerPoints": None},
        "objectOrientedBoundingBox": None,
    }  # fmt: skip


def copy_object(obj: Obj) -> Obj:
    out = dict(obj)
    out["position"] = dict(obj["position"])
    out["rotation"] = dict(obj["rotation"])
    out["salientMaterials"] = list(obj["salientMaterials"])
    if obj["receptacleObjectIds"] is not None:
        out["receptacleObjectIds"] = list(obj["receptacleObjectIds"])
    if obj["parentReceptacles"] is not None:
        out["parentReceptacles"] = list(obj["parentReceptacles"])
    box = obj["axisAlignedBoundingBox"]
    out["axisAlignedBoundingBox"] = {"center": dict(box["center"]), "size": dict(box["size"]), "cornerPoints": None}
    return out
