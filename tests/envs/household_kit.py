"""Small builders shared by the household tests: a kitchen with chosen objects, and a way to stand somewhere."""

from __future__ import annotations

from typing import Any

from envs.backend import ObjectInit, WorldInit
from envs.household.scenes import Receptacle, scene
from envs.household.text import TextLayer
from envs.household.world import HouseholdWorld

KITCHEN = "FloorPlan1"


def recep(rtype: str, i: int = 0, scene_name: str = KITCHEN) -> Receptacle:
    return scene(scene_name).receptacles_of(rtype)[i]


def oid(object_type: str, n: int = 1) -> str:
    return f"{object_type}|+0{n}.00|+00.90|+00.00"


def kitchen_init(
    *objects: tuple[str, str] | tuple[str, str, dict[str, Any]], scene_name: str = KITCHEN, opened: tuple[str, ...] = ()
) -> WorldInit:
    """``("Apple", "CounterTop")`` places Apple #1 on the first counter; a third item gives ObjectInit fields.

    Every sink basin gets its faucet.
    """
    sc = scene(scene_name)
    counts: dict[str, int] = {}
    specs = []
    for item in objects:
        otype, rtype = item[0], item[1]
        extra = item[2] if len(item) > 2 else {}  # type: ignore[misc]
        counts[otype] = counts.get(otype, 0) + 1
        parent = extra.pop("parent", None) or sc.receptacles_of(rtype)[0].object_id
        specs.append(ObjectInit(object_id=oid(otype, counts[otype]), object_type=otype, parent=parent, **extra))
    for basin in sc.receptacles_of("SinkBasin"):
        specs.append(ObjectInit(object_id=f"Faucet|{basin.object_id}", object_type="Faucet", near=basin.object_id))
    return WorldInit(scene=scene_name, objects=specs, opened=list(opened), agent=sc.start)


def world(*objects: Any, **kw: Any) -> HouseholdWorld:
    w = HouseholdWorld()
    w.reset(kw.get("scene_name", KITCHEN), init=kitchen_init(*objects, **kw))
    return w


def stand_at(w: HouseholdWorld, r: Receptacle) -> dict[str, Any]:
    x, z, rot, horizon = r.pose
    return dict(
        w.step(
            {"action": "TeleportFull", "x": x, "y": 0.9, "z": z, "rotation": rot, "horizon": horizon, "standing": True}
        )
    )


def obj(w: HouseholdWorld, object_id: str) -> dict[str, Any]:
    return next(o for o in w.metadata["objects"] if o["objectId"] == object_id)


def text_layer(*objects: Any, **kw: Any) -> TextLayer:
    t = TextLayer(HouseholdWorld())
    t.reset(kitchen_init(*objects, **kw))
    return t
