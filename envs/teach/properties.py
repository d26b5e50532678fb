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
    """The derived properties of one episode; ``reset`` at the start, ``update`` after every action.

    Cheap per action: stored properties are merged into the objects only when the backend answers with new
    object dicts (AI2-THOR every step; the household world only when slicing changes the set of objects), and an
    object's receptacles are looked up only when a rule could apply to it."""

    def __init__(self) -> None:
        self._custom: dict[str, dict[str, Any]] = {}
        self._objects: list[Obj] | None = None  # the list last merged into
        self._sources: list[Obj] = []  # sinks, coffee machines, microwaves, stove burners of that list
        self._faucets: dict[str, Obj | None] = {}  # sink id -> its faucet in that list
        self._faucet_of: dict[str, str | None] = {}
        self._cooked: set[str] = set()  # ids cooked / filled / held after the previous action
        self._filled: set[str] = set()
        self._held: set[str] = set()

    def reset(self, metadata: Metadata) -> None:
        objects = metadata["objects"]
        self._custom = {o["objectId"]: {"simbotObjectClass": object_classes(o["objectType"])} for o in objects}
        self._objects, self._faucet_of = None, {}
        self._cooked, self._filled, self._held = set(), set(), set()
        self._apply(objects, first=True)

    def update(self, metadata: Metadata) -> None:
        self._apply(metadata["objects"], first=False)

    def __getitem__(self, object_id: str) -> Mapping[str, Any]:
        return self._custom.get(object_id, {})

    # ------------------------------------------------------------------ rules
    def _set(self, obj: Obj, key: str, value: Any) -> None:
        if obj.get(key, _MISSING) != value:
            self._custom.setdefault(obj["objectId"], {})[key] = value
            obj[key] = value

    def _apply(self, objects: list[Obj], *, first: bool) -> None:
        if objects is not self._objects:
            self._inherit(objects)
            custom = self._custom
            for o in objects:
                entry = custom.get(o["objectId"])
                if entry:
                    o.update(entry)
            self._objects = objects
            self._sources = [o for o in objects if o["objectType"] in _SOURCES]
            ids = {o["objectId"]: o for o in objects}
            self._faucets = {
                o["objectId"]: ids.get(self._faucet(o, objects) or "")
                for o in self._sources
                if o["objectType"] in _TWINS
            }
        index: dict[str, Obj] = {}

        def by_id() -> dict[str, Obj]:
            if not index:
                index.update((o["objectId"], o) for o in objects)
            return index

        def parents(o: Obj) -> set[str]:
            return set(parent_receptacles(o, by_id()) or ())

        sink, coffee, heat = self._running()
        cooked, filled, held = self._cooked, self._filled, self._held
        now_cooked, now_filled, now_held = set(), set(), set()
        for o in objects:
            oid = o["objectId"]
            if o["isPickedUp"]:
                now_held.add(oid)
                self._set(o, "simbotPickedUp", 1)
                self._set(o, "simbotLastParentReceptacle", None)
            elif oid in held and o["parentReceptacles"]:
                self._set(o, "simbotLastParentReceptacle", o["parentReceptacles"][0])
            if o["isFilledWithLiquid"]:
                now_filled.add(oid)
                if coffee and o["canFillWithLiquid"] and oid not in filled and parents(o) & coffee:
                    self._set(o, "simbotIsFilledWithCoffee", True)
            elif oid in filled and "simbotIsFilledWithCoffee" in o:
                self._set(o, "simbotIsFilledWithCoffee", False)
            if sink and o["canFillWithLiquid"] and parents(o) & sink:
                self._set(o, "simbotIsFilledWithWater", 1)
            if o["isCooked"]:
                now_cooked.add(oid)
                self._set(o, "simbotIsCooked", True)
                if not first and oid not in cooked and any(_holds_liquid(by_id().get(p)) for p in parents(o)):
                    self._set(o, "simbotIsBoiled", True)
            elif heat and o["cookable"] and not o.get("simbotIsCooked") and parents(o) & heat:
                self._set(o, "simbotIsCooked", True)
        self._cooked, self._filled, self._held = now_cooked, now_filled, now_held

    def _inherit(self, objects: list[Obj]) -> None:
        """Slices and cracked eggs take over the derived properties of the object they came from."""
        custom, gone = self._custom, set()
        for o in objects:
            oid = o["objectId"]
            origin = _origin(oid) if oid not in custom else None
            if origin is not None and origin in custom:
                custom[oid] = json.loads(json.dumps(custom[origin]))
                gone.add(origin)
        for origin in gone:
            del custom[origin]
            for entry in custom.values():
                if entry.get("simbotLastParentReceptacle") == origin:
                    entry["simbotLastParentReceptacle"] = None

    def _running(self) -> tuple[set[str], ...]:
        """Ids of running sinks (nearest faucet on), coffee machines that are on, and heating receptacles."""
        sink: set[str] = set()
        coffee: set[str] = set()
        heat: set[str] = set()
        for o in self._sources:
            kind = o["objectType"]
            if kind in _TWINS:
                faucet = self._faucets.get(o["objectId"])
                if faucet is not None and faucet["isToggled"]:
                    sink.add(o["objectId"])
            elif kind == "CoffeeMachine":
                if o["isToggled"]:
                    coffee.add(o["objectId"])
            elif (kind == "Microwave" and o["isToggled"]) or (
                kind == "StoveBurner" and "Hot" in o["ObjectTemperature"]
            ):
                heat.add(o["objectId"])
        return sink, coffee, heat

    def _faucet(self, basin: Obj, objects: list[Obj]) -> str | None:
        """The faucet nearest to a sink or bathtub (found once per episode)."""
        oid = basin["objectId"]
        if oid not in self._faucet_of:
            faucets = [o for o in objects if o["objectType"] == "Faucet"]
            nearest = min(faucets, key=lambda f: _distance(f, basin), default=None)
            self._faucet_of[oid] = nearest["objectId"] if nearest is not None else None
        return self._faucet_of[oid]


_MISSING = object()
_SOURCES = frozenset({*_TWINS, "CoffeeMachine", "Microwave", "StoveBurner"})


def _holds_liquid(container: Obj | None) -> bool:
    return container is not None and bool(container["isFilledWithLiquid"] or container.get("simbotIsFilledWithWater"))


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
