"""TEACh's derived object properties, kept from THOR-shaped metadata after every action of any world backend.

TEACh's definitions test properties AI2-THOR does not report; TEACh's simulator wrapper keeps them beside THOR's
metadata and updates them after each action. ``TeachProperties`` applies the same rules to a backend's metadata
(our own code, TEACh's rules):

- ``simbotObjectClass``: the object's type, its Sink/SinkBasin or Bathtub/BathtubBasin twin, and TEACh's classes
  (``data/object_classes.json``: Drinkware, Dishware, Tables, WritingUtensils, …), assigned at the start; slices
  and cracked eggs inherit every derived property of the object they came from (a bread slice is of class Bread).
- ``simbotIsCooked``: THOR's ``isCooked``, or lying in a switched-on microwave or on a hot stove burner.
- ``simbotIsBoiled``: became ``isCooked`` during the last action while in a container holding liquid.
- ``simbotIsFilledWithCoffee``: became filled during the last action while in a switched-on coffee machine;
  cleared when emptied.
- ``simbotIsFilledWithWater``: was in a sink or bathtub whose nearest faucet runs (never cleared, as in TEACh).
- ``simbotPickedUp`` / ``simbotLastParentReceptacle``: picked up once; the receptacle it was last put in.

TEACh's wrapper also forces a running faucet to clean and fill what is in its sink; the household world's physics
does that itself. ``TeachWorld`` wraps any ``WorldBackend`` so that every reset and step updates the properties.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, MutableMapping
from functools import cache
from importlib.resources import files
from typing import Any

from envs.backend import Metadata, WorldBackend, WorldInit
from envs.teach.checker import parent_receptacles

__all__ = ["DERIVED", "TeachProperties", "TeachWorld", "object_classes"]

Obj = MutableMapping[str, Any]
DERIVED = (
    "simbotObjectClass",
    "simbotIsCooked",
    "simbotIsBoiled",
    "simbotIsFilledWithCoffee",
    "simbotIsFilledWithWater",
    "simbotPickedUp",
    "simbotLastParentReceptacle",
)
_TWINS = {"Sink": "SinkBasin", "SinkBasin": "Sink", "Bathtub": "BathtubBasin", "BathtubBasin": "Bathtub"}


@cache
def _classes_by_type() -> dict[str, tuple[str, ...]]:
    raw: dict[str, list[str]] = json.loads(files("envs.teach").joinpath("data", "object_classes.json").read_text())
    out: dict[str, list[str]] = {}
    for cls, types in raw.items():
        for t in types:
            out.setdefault(t, []).append(cls)
    return {t: tuple(cs) for t, cs in out.items()}


def object_classes(object_type: str) -> list[str]:
    """TEACh's ``simbotObjectClass`` of a type: the type itself, its sink/bathtub twin, then its classes."""
    out = [object_type]
    if object_type in _TWINS:
        out.append(_TWINS[object_type])
    return out + list(_classes_by_type().get(object_type, ()))


def _distance(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    p, q = a["position"], b["position"]
    return math.dist((p["x"], p["y"], p["z"]), (q["x"], q["y"], q["z"]))


def _origin(object_id: str) -> str | None:
    """The object a slice or cracked egg came from (``Bread|…|BreadSliced_1`` → ``Bread|…``)."""
    if "Sliced" in object_id or "Cracked" in object_id:
        return object_id.rsplit("|", 1)[0]
    return None


class TeachProperties:
    """The derived properties of one episode; ``reset`` at the start, ``update`` after every action."""

    def __init__(self) -> None:
        self._custom: dict[str, dict[str, Any]] = {}
        self._before: dict[str, tuple[bool, bool, bool]] = {}  # id -> (isCooked, isFilledWithLiquid, isPickedUp)
        self._faucet_of: dict[str, str | None] = {}

    def reset(self, metadata: Metadata) -> None:
        objects = metadata["objects"]
        self._custom = {o["objectId"]: {"simbotObjectClass": object_classes(o["objectType"])} for o in objects}
        self._before = {}
        self._faucet_of = {}
        self._apply(objects, first=True)

    def update(self, metadata: Metadata) -> None:
        self._apply(metadata["objects"], first=False)

    def __getitem__(self, object_id: str) -> Mapping[str, Any]:
        return self._custom.get(object_id, {})

    # ------------------------------------------------------------------ rules
    def _apply(self, objects: list[Obj], *, first: bool) -> None:
        custom = self._custom
        by_id = {o["objectId"]: o for o in objects}
        self._inherit(by_id)
        for o in objects:
            entry = custom.get(o["objectId"])
            if entry:
                o.update(entry)
        running = self._running_sources(objects, by_id)
        before = self._before
        for o in objects:
            oid = o["objectId"]
            was = before.get(oid)
            parents = self._parents(o, by_id)
            mine = custom.setdefault(oid, {})
            if o["isPickedUp"]:
                mine["simbotPickedUp"] = 1
                mine["simbotLastParentReceptacle"] = None
            elif was is not None and was[2] and o.get("parentReceptacles"):
                mine["simbotLastParentReceptacle"] = o["parentReceptacles"][0]
            if o["canFillWithLiquid"] and parents & running["sink"]:
                mine["simbotIsFilledWithWater"] = 1
            filled = bool(o["isFilledWithLiquid"])
            if filled and o["canFillWithLiquid"] and parents & running["coffee"] and not (was and was[1]):
                mine["simbotIsFilledWithCoffee"] = True
            elif not filled and was and was[1] and "simbotIsFilledWithCoffee" in mine:
                mine["simbotIsFilledWithCoffee"] = False
            if o["isCooked"]:
                mine["simbotIsCooked"] = True
                if not first and not (was and was[0]) and any(self._holds_liquid(by_id.get(p)) for p in parents):
                    mine["simbotIsBoiled"] = True
            elif o["cookable"] and parents & running["heat"]:
                mine["simbotIsCooked"] = True
            o.update(mine)
        self._before = {
            o["objectId"]: (bool(o["isCooked"]), bool(o["isFilledWithLiquid"]), bool(o["isPickedUp"])) for o in objects
        }

    def _inherit(self, by_id: Mapping[str, Obj]) -> None:
        """Slices and cracked eggs take over the derived properties of the object they came from."""
        custom, gone = self._custom, set()
        for oid in by_id:
            origin = _origin(oid)
            if oid not in custom and origin is not None and origin in custom:
                custom[oid] = json.loads(json.dumps(custom[origin]))
                gone.add(origin)
        for origin in gone:
            del custom[origin]
            for entry in custom.values():
                if entry.get("simbotLastParentReceptacle") == origin:
                    entry["simbotLastParentReceptacle"] = None

    def _parents(self, obj: Obj, by_id: Mapping[str, Obj]) -> set[str]:
        return set(parent_receptacles(obj, by_id) or ())

    def _holds_liquid(self, container: Obj | None) -> bool:
        return container is not None and bool(
            container["isFilledWithLiquid"] or container.get("simbotIsFilledWithWater")
        )

    def _running_sources(self, objects: list[Obj], by_id: Mapping[str, Obj]) -> dict[str, set[str]]:
        """Ids of running sinks (faucet on), coffee machines that are on, and heating receptacles."""
        out: dict[str, set[str]] = {"sink": set(), "coffee": set(), "heat": set()}
        for o in objects:
            kind = o["objectType"]
            if kind in _TWINS:
                faucet = self._faucet(o, objects)
                if faucet is not None and by_id[faucet]["isToggled"]:
                    out["sink"].add(o["objectId"])
            elif kind == "CoffeeMachine" and o["isToggled"]:
                out["coffee"].add(o["objectId"])
            elif (kind == "Microwave" and o["isToggled"]) or (
                kind == "StoveBurner" and "Hot" in o["ObjectTemperature"]
            ):
                out["heat"].add(o["objectId"])
        return out

    def _faucet(self, basin: Obj, objects: list[Obj]) -> str | None:
        """The faucet nearest to a sink or bathtub (found once per episode)."""
        oid = basin["objectId"]
        if oid not in self._faucet_of:
            faucets = [o for o in objects if o["objectType"] == "Faucet"]
            nearest = min(faucets, key=lambda f: _distance(f, basin), default=None)
            self._faucet_of[oid] = nearest["objectId"] if nearest is not None else None
        return self._faucet_of[oid]


class TeachWorld:
    """A ``WorldBackend`` that adds TEACh's derived properties to another backend's metadata after every action
    (while ``active``; an environment switches it off for goals that do not read them)."""

    def __init__(self, backend: WorldBackend, *, active: bool = True) -> None:
        self.backend = backend
        self.properties = TeachProperties()
        self.active = active

    def reset(self, scene: str, *, init: WorldInit) -> Metadata:
        meta = self.backend.reset(scene, init=init)
        if self.active:
            self.properties.reset(meta)
        return meta

    def step(self, action: Mapping[str, Any]) -> Metadata:
        meta = self.backend.step(action)
        if self.active:
            self.properties.update(meta)
        return meta

    @property
    def metadata(self) -> Metadata:
        return self.backend.metadata

    def close(self) -> None:
        self.backend.close()
