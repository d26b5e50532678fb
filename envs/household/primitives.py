"""HELPER's subgoal primitives over the household text layer, so they run on every world backend under it.

``HouseholdPrograms`` is the ``ProgramWorld`` a ``HouseholdEnv`` (and so ``ThorEnv``) hands the program executor:
each primitive finds its object by class, landmark and attributes, then plays a short sequence of text commands
through ``env.step`` (each of which is one or a few THOR actions on the backend) — walk to the object's
receptacle, open it if needed, take, put, switch — and answers success or a failure reason a model can act on
("hands are full: you hold the Knife; put_down() it first"). Going through ``env.step`` keeps the episode's
goal-condition tracking, step budget and history (and so the expert) exactly as for the ReAct executor.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from envs.backend import WorldInit
from envs.household import catalog
from envs.household.catalog import KNIVES
from envs.household.placement import SURFACES
from msi_agent.agent.program.api import Handle, Outcome, PrimitiveSpec, ProgramAPI

if TYPE_CHECKING:
    from envs.household.env import HouseholdEnv

Obj = Mapping[str, Any]

PRIMITIVES: tuple[PrimitiveSpec, ...] = (
    PrimitiveSpec("go_to", (), "walk to the object"),
    PrimitiveSpec(
        "pickup", (), "walk to the object, open what it is in if closed, and pick it up (hands must be free)"
    ),
    PrimitiveSpec("place", ("landmark",), "put the held object in/on the landmark object (opens it if closed)"),
    PrimitiveSpec("pickup_and_place", ("landmark",), "pickup() then place(landmark)"),
    PrimitiveSpec("put_down", (), "put the held object down on a free surface nearby"),
    PrimitiveSpec("open", (), "open the object"),
    PrimitiveSpec("close", (), "close the object"),
    PrimitiveSpec("toggle_on", (), "switch the object on"),
    PrimitiveSpec("toggle_off", (), "switch the object off"),
    PrimitiveSpec("slice", (), "slice the object where it lies (a Knife must be in hand)"),
    PrimitiveSpec("clean", (), "pick the object up if needed and rinse it in the sink; it stays in hand"),
    PrimitiveSpec("fill_up", (), "pick the container up if needed and fill it with water at the sink"),
    PrimitiveSpec("pour", ("landmark",), "pour the liquid of the held object into the landmark object"),
    PrimitiveSpec("empty", (), "take everything out of the object and set it down nearby"),
    PrimitiveSpec("cook", (), "cook the object: on a burner if it lies in a pot or pan there, else in the microwave"),
    PrimitiveSpec("toast", (), "put a bread slice in the toaster and switch the toaster on"),
)

_TESTS: dict[str, Callable[[Obj], bool]] = {
    "clean": lambda o: not o["isDirty"],
    "dirty": lambda o: bool(o["isDirty"]),
    "cooked": lambda o: bool(o["isCooked"]),
    "toasted": lambda o: o["objectType"] == "BreadSliced" and bool(o["isCooked"]),
    "sliced": lambda o: bool(o["isSliced"]),
    "filled": lambda o: bool(o["isFilledWithLiquid"]),
    "empty": lambda o: not o["isFilledWithLiquid"] and not o["receptacleObjectIds"],
    "on": lambda o: bool(o["isToggled"]),
    "off": lambda o: o["toggleable"] and not o["isToggled"],
    "open": lambda o: bool(o["isOpen"]),
    "closed": lambda o: o["openable"] and not o["isOpen"],
    "hot": lambda o: o["ObjectTemperature"] == "Hot",
    "cold": lambda o: o["ObjectTemperature"] == "Cold",
    "held": lambda o: bool(o["isPickedUp"]),
}
ATTRIBUTES = tuple(_TESTS)


class _Fail(Exception):
    """A primitive cannot go on; the message is the reason shown to the model."""


class _Ended(Exception):
    """The episode ended (won, or out of steps) in the middle of a primitive."""


class HouseholdPrograms:
    """The ``ProgramWorld`` of the episode ``env`` last reset."""

    def __init__(self, env: HouseholdEnv, init: WorldInit, info: dict[str, Any]) -> None:
        self.env, self.t = env, env.text
        self._near = {o.object_id: o.near for o in init.objects if o.near}
        self._info = dict(info)
        self._done = False
        self._feedback: list[str] = []
        self._actions = 0
        types = {o["objectType"] for o in self._objects() if self._known(o["objectId"])}
        types |= {catalog.SLICES[t][0] for t in types if t in catalog.SLICES}
        self.api = ProgramAPI(PRIMITIVES, ATTRIBUTES, tuple(sorted(types)))

    # ------------------------------------------------------------------ ProgramWorld
    def call(self, primitive: str, target: Handle, args: Sequence[Handle], taken: Collection[str]) -> Outcome:
        handler = _HANDLERS.get(primitive)
        if handler is None:
            return Outcome(False, f"{primitive} is not a primitive; use one of the API", info=dict(self._info))
        self._feedback, self._actions = [], 0
        try:
            handler(self, target, *args, taken=taken)
            ok, text = True, " ".join(self._feedback) or "Done."
        except _Fail as failure:
            ok, text = False, str(failure)
        except _Ended:
            won = bool(self._info.get("won"))
            ok, text = won, " ".join(self._feedback) if won else "the episode's step budget is used up"
        return Outcome(ok, text, done=self._done, info=dict(self._info), actions=self._actions)

    def check(self, target: Handle, attribute: str, taken: Collection[str]) -> bool | str:
        try:
            return _TESTS[attribute](self._obj(self._bind(target, taken)))
        except _Fail as failure:
            return str(failure)
        except KeyError:
            return f"unknown attribute {attribute!r}; use one of: {', '.join(ATTRIBUTES)}"

    def find_all(self, cls: str, attributes: Sequence[str]) -> list[Handle]:
        tests = [_TESTS[a] for a in attributes if a in _TESTS]
        return [
            Handle(cls, attributes=tuple(attributes), object_id=o["objectId"])
            for o in self._objects()
            if o["objectType"] == cls and self._known(o["objectId"]) and all(t(o) for t in tests)
        ]

    def info(self) -> dict[str, Any]:
        return dict(self._info)

    # ------------------------------------------------------------------ reading the world
    def _objects(self) -> Sequence[Obj]:
        return self.t.metadata["objects"]  # type: ignore[no-any-return]

    def _obj(self, oid: str) -> Obj:
        for o in self._objects():
            if o["objectId"] == oid:
                return o
        raise _Fail("that object no longer exists (was it sliced?)")

    def _known(self, oid: str) -> bool:
        try:
            self.t.name(oid)
        except KeyError:
            return False
        return True

    def _held(self) -> str | None:
        return self.t.held

    def _home(self, oid: str) -> str | None:
        """The static receptacle the object is at (in, on, or next to); None while it is held."""
        if oid in self.t.receptacles:
            return oid
        parents = self._obj(oid)["parentReceptacles"]
        if parents:
            return str(parents[-1])
        return self._near.get(oid)

    def _at(self, o: Obj, landmark: str) -> bool:
        parents = o["parentReceptacles"] or []
        near = self._near.get(o["objectId"])
        types = [self._obj(p)["objectType"] for p in parents] + ([self._obj(near)["objectType"]] if near else [])
        return landmark in types

    def _bind(self, h: Handle, taken: Collection[str]) -> str:
        """The object ``h`` names: its bound object if it still exists, else the first free match (held first)."""
        if h.object_id is not None and any(o["objectId"] == h.object_id for o in self._objects()):
            return h.object_id
        found = [o for o in self._objects() if o["objectType"] == h.cls and self._known(o["objectId"])]
        if not found:
            raise _Fail(f"the {h.cls} is not visible anywhere in this room")
        if h.landmark:
            there = [o for o in found if self._at(o, h.landmark)]
            if not there:
                raise _Fail(f"no {h.cls} is in/on a {h.landmark}; drop the landmark or name another")
            found = there
        for word in h.attributes:
            test = _TESTS.get(word)
            if test is None:
                raise _Fail(f"unknown attribute {word!r}; use one of: {', '.join(ATTRIBUTES)}")
            found = [o for o in found if test(o)]
            if not found:
                raise _Fail(f"no {h.cls} is {' and '.join(h.attributes)} now")
        free = [o for o in found if o["objectId"] not in taken] or found
        held = self._held()
        best = next((o for o in free if o["objectId"] == held), free[0])
        h.object_id = best["objectId"]
        return h.object_id

    # ------------------------------------------------------------------ acting
    def _do(self, command: str, why: str) -> None:
        if self._done:
            raise _Ended
        if command not in self.t.admissible:
            raise _Fail(why)
        obs = self.env.step(command)
        self._info, self._done = dict(obs.info), obs.ended
        self._actions += 1
        self._feedback.append(obs.text)
        if obs.ended:
            raise _Ended

    def _goto(self, rid: str) -> None:
        if rid not in self.t.here:
            self._do(f"go to {self.t.name(rid)}", f"the {self._obj(rid)['objectType']} cannot be reached")

    def _reach(self, oid: str, *, open_it: bool = True) -> str:
        """Walk to the object's receptacle and open it if it is closed; returns that receptacle."""
        home = self._home(oid)
        if home is None:
            raise _Fail(f"the {self._obj(oid)['objectType']} is in your hands")
        self._goto(home)
        recep = self._obj(home)
        if open_it and recep["openable"] and not recep["isOpen"]:
            self._do(f"open {self.t.name(home)}", f"the {recep['objectType']} cannot be opened")
        return home

    def _hands_free(self) -> None:
        held = self._held()
        if held is not None:
            kind = self._obj(held)["objectType"]
            raise _Fail(f"hands are full: you hold the {kind}; put_down() or place() it first")

    def _holding(self, oid: str, verb: str) -> None:
        if self._held() != oid:
            kind = self._obj(oid)["objectType"]
            raise _Fail(f"you are not holding the {kind}; pickup() it before you {verb}")

    def _take(self, oid: str) -> None:
        if self._held() == oid:
            return
        self._hands_free()
        o = self._obj(oid)
        if not o["pickupable"]:
            raise _Fail(f"the {o['objectType']} cannot be picked up")
        home = self._reach(oid)
        self._do(f"take {self.t.name(oid)} from {self.t.name(home)}", f"the {o['objectType']} cannot be taken now")

    def _put(self, held: str, target: str) -> None:
        kind, t = self._obj(held)["objectType"], self._obj(target)
        if not t["receptacle"] or not catalog.accepts(t["objectType"], kind):
            raise _Fail(f"a {kind} does not go in/on a {t['objectType']}")
        if len(t["receptacleObjectIds"] or ()) >= catalog.CAPACITY.get(t["objectType"], 1 << 30):
            raise _Fail(f"the {t['objectType']} is full; empty() it first")
        self._reach(target)
        t = self._obj(target)  # a backend may hand out fresh metadata after every action (AI2-THOR does)
        if t["openable"] and not t["isOpen"]:
            self._do(f"open {self.t.name(target)}", f"the {t['objectType']} is closed and cannot be opened")
        self._do(f"move {self.t.name(held)} to {self.t.name(target)}", f"the {kind} cannot be put there now")

    def _appliance(self, rtype: str, verb: str, oid: str) -> None:
        rids = [r for r in self.t.receptacles if self.t.receptacles[r].type == rtype]
        if not rids:
            raise _Fail(f"there is no {rtype} in this room")
        self._goto(rids[0])
        kind = self._obj(oid)["objectType"]
        self._do(f"{verb} {self.t.name(oid)} with {self.t.name(rids[0])}", f"the {kind} cannot be {verb}ed here")

    def _switch(self, oid: str, on: bool) -> None:
        o = self._obj(oid)
        if not o["toggleable"]:
            raise _Fail(f"the {o['objectType']} cannot be switched {'on' if on else 'off'}")
        if bool(o["isToggled"]) is on:
            self._feedback.append(f"The {o['objectType']} is already {'on' if on else 'off'}.")
            return
        self._reach(oid, open_it=False)
        self._do(f"use {self.t.name(oid)}", f"the {o['objectType']} cannot be switched now")

    # ------------------------------------------------------------------ primitives
    def go_to(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        if self._held() == oid:
            self._feedback.append(f"You hold the {h.cls}.")
            return
        self._reach(oid, open_it=False)

    def pickup(self, h: Handle, *, taken: Collection[str]) -> None:
        self._take(self._bind(h, taken))

    def place(self, h: Handle, landmark: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        self._holding(oid, "place it")
        self._put(oid, self._bind(landmark, {*taken, oid}))

    def pickup_and_place(self, h: Handle, landmark: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        self._take(oid)
        self._put(oid, self._bind(landmark, {*taken, oid}))

    def put_down(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        self._holding(oid, "put it down")
        name, kind = self.t.name(oid), self._obj(oid)["objectType"]
        for rid in self.t.here:
            if f"move {name} to {self.t.name(rid)}" in self.t.admissible:
                self._do(f"move {name} to {self.t.name(rid)}", "")
                return
        for stype in SURFACES:
            for rid, r in self.t.receptacles.items():
                if r.type == stype and catalog.accepts(stype, kind):
                    self._put(oid, rid)
                    return
        raise _Fail(f"no surface in this room takes the {kind}")

    def open(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        o = self._obj(oid)
        if not o["openable"]:
            raise _Fail(f"the {h.cls} cannot be opened")
        self._reach(oid, open_it=False)
        if not o["isOpen"]:
            self._do(f"open {self.t.name(oid)}", f"the {h.cls} cannot be opened from here")

    def close(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        o = self._obj(oid)
        if not o["openable"]:
            raise _Fail(f"the {h.cls} cannot be closed")
        self._reach(oid, open_it=False)
        if o["isOpen"]:
            self._do(f"close {self.t.name(oid)}", f"the {h.cls} cannot be closed from here")

    def toggle_on(self, h: Handle, *, taken: Collection[str]) -> None:
        self._switch(self._bind(h, taken), True)

    def toggle_off(self, h: Handle, *, taken: Collection[str]) -> None:
        self._switch(self._bind(h, taken), False)

    def slice(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        o, held = self._obj(oid), self._held()
        if not o["sliceable"] or o["isSliced"]:
            raise _Fail(f"the {h.cls} cannot be sliced")
        if held is None or self._obj(held)["objectType"] not in KNIVES:
            what = f"you hold the {self._obj(held)['objectType']}, not a knife" if held else "your hands are empty"
            raise _Fail(f"slicing needs a Knife in hand: {what}; pickup() a Knife first")
        self._reach(oid)
        self._do(f"slice {self.t.name(oid)} with {self.t.name(held)}", f"the {h.cls} cannot be sliced where it is")

    def clean(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        if not self._obj(oid)["dirtyable"]:
            raise _Fail(f"the {h.cls} cannot be cleaned")
        self._take(oid)
        if self._obj(oid)["isDirty"]:
            self._appliance("SinkBasin", "clean", oid)
        else:
            self._feedback.append(f"The {h.cls} is already clean.")

    def fill_up(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        o = self._obj(oid)
        if not o["canFillWithLiquid"]:
            raise _Fail(f"the {h.cls} cannot hold water")
        if o["receptacleObjectIds"]:
            raise _Fail(f"the {h.cls} has things in it; empty() it first")
        self._take(oid)
        if self._obj(oid)["fillLiquid"] != "water":
            self._appliance("SinkBasin", "fill", oid)

    def pour(self, h: Handle, landmark: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        self._holding(oid, "pour from it")
        if not self._obj(oid)["isFilledWithLiquid"]:
            raise _Fail(f"the {h.cls} holds no liquid; fill_up() it first")
        target = self._bind(landmark, {*taken, oid})
        self._reach(target, open_it=False)
        kind = self._obj(target)["objectType"]
        self._do(f"pour {self.t.name(oid)} into {self.t.name(target)}", f"the {kind} cannot take the liquid")

    def empty(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        inside = [i for i in self._obj(oid)["receptacleObjectIds"] or () if self._obj(i)["pickupable"]]
        for inner in inside:
            self._take(inner)
            self.put_down(Handle(self._obj(inner)["objectType"], object_id=inner), taken=taken)
        if not inside:
            self._feedback.append(f"The {h.cls} has nothing in it to take out.")

    def cook(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        o = self._obj(oid)
        if not o["cookable"]:
            raise _Fail(f"the {h.cls} cannot be cooked")
        burner = next((p for p in o["parentReceptacles"] or () if self._obj(p)["objectType"] == "StoveBurner"), None)
        if burner is not None:
            self._switch(burner, True)
            return
        self._take(oid)
        self._appliance("Microwave", "heat", oid)

    def toast(self, h: Handle, *, taken: Collection[str]) -> None:
        oid = self._bind(h, taken)
        if h.cls != "BreadSliced":
            raise _Fail(f"only a BreadSliced can be toasted; slice() the Bread and toast a BreadSliced, not a {h.cls}")
        toasters = [r for r in self.t.receptacles if self.t.receptacles[r].type == "Toaster"]
        if not toasters:
            raise _Fail("there is no Toaster in this room")
        if toasters[0] not in (self._obj(oid)["parentReceptacles"] or ()):
            self._take(oid)
            self._put(oid, toasters[0])
        self._switch(toasters[0], True)


_HANDLERS: dict[str, Callable[..., None]] = {p.name: getattr(HouseholdPrograms, p.name) for p in PRIMITIVES}
