"""The expert: solves a task from the current state and returns the text commands it used.

It plays on a private ``HouseholdWorld`` twin (rebuilt from the task's ``WorldInit`` and the commands played so
far), using a few primitives — fetch, put, heat, cool, clean, fill, pour, slice, toggle — that each family
composes in its ``solve``. Every command it emits was admissible when emitted; a recipe that asks for a command
that is not raises ``PlanError`` (that is a bug in a family or in the world, never a user error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from envs.backend import WorldInit
from envs.household import catalog
from envs.household.placement import SURFACES
from envs.household.text import TextLayer

Obj = Mapping[str, Any]


class PlanError(RuntimeError):
    """The expert could not continue its plan."""


class Solver:
    """Expert primitives over a text layer; ``commands`` collects what was played."""

    def __init__(self, text: TextLayer, init: WorldInit) -> None:
        self.t = text
        self.commands: list[str] = []
        self._near = {o.object_id: o.near for o in init.objects if o.near}

    # ------------------------------------------------------------------ reading the world
    def obj(self, oid: str) -> Obj:
        for o in self.t.metadata["objects"]:
            if o["objectId"] == oid:
                return o
        raise PlanError(f"object {oid} no longer exists")

    def find(self, test: Callable[[Obj], bool], exclude: Iterable[str] = ()) -> list[str]:
        """Ids of objects passing ``test``, in world order (deterministic)."""
        skip = set(exclude)
        return [o["objectId"] for o in self.t.metadata["objects"] if o["objectId"] not in skip and test(o)]

    def of_type(self, *types: str, exclude: Iterable[str] = ()) -> list[str]:
        return self.find(lambda o: o["objectType"] in types, exclude)

    def receptacles(self, rtype: str) -> list[str]:
        """Static receptacles of a type, in name order ("cabinet 1" first)."""
        return [rid for rid in self.t.receptacles if self.t.receptacles[rid].type == rtype]

    def where(self, oid: str) -> str:
        """The static receptacle the object is at (in, on, or next to)."""
        if oid in self.t.receptacles:
            return oid
        parents = self.obj(oid)["parentReceptacles"]
        if parents:
            return str(parents[-1])
        if oid in self._near:
            return str(self._near[oid])
        raise PlanError(f"{self.t.name(oid)} is held or lost; the expert cannot reach it")

    @property
    def held(self) -> str | None:
        return self.t.held

    # ------------------------------------------------------------------ acting
    def do(self, command: str) -> None:
        if command not in self.t.admissible:
            raise PlanError(f"expert command {command!r} is not admissible here (at {self.t.location})")
        result = self.t.step(command)
        if not result.ok:
            raise PlanError(f"expert command {command!r} failed: {result.feedback}")
        self.commands.append(command)

    def goto(self, rid: str) -> None:
        """Be where ``rid`` is in reach (no walk within a place) and have it open."""
        if rid not in self.t.here:
            self.do(f"go to {self.t.name(rid)}")
        recep = self.obj(rid)
        if recep["openable"] and not recep["isOpen"]:
            self.do(f"open {self.t.name(rid)}")

    def fetch(self, oid: str) -> None:
        """Hold ``oid`` (putting down whatever else is in hand first)."""
        if self.held == oid:
            return
        self.free_hands()
        home = self.where(oid)
        self.goto(home)
        self.do(f"take {self.t.name(oid)} from {self.t.name(home)}")

    def put(self, target: str) -> None:
        """Put the held object in/on ``target`` (a static receptacle or a plate/pot/... lying somewhere)."""
        held = self._held()
        t = self.obj(target)
        capacity = catalog.CAPACITY.get(t["objectType"])
        if capacity is not None and len(t["receptacleObjectIds"] or ()) >= capacity:
            self.clear(target)  # a burner with a pan on it: make room (this puts the held object down first)
            self.fetch(held)
        self.goto(self.where(target))
        self.do(f"move {self.t.name(held)} to {self.t.name(target)}")

    def free_hands(self) -> None:
        held = self.held
        if held is None:
            return
        htype = self.obj(held)["objectType"]
        loc = self.t.location
        if loc is not None and f"move {self.t.name(held)} to {self.t.name(loc)}" in self.t.admissible:
            self.do(f"move {self.t.name(held)} to {self.t.name(loc)}")
            return
        self.put(self.surface([htype]))

    def surface(self, types: Sequence[str]) -> str:
        """A receptacle that accepts all ``types`` — an open surface first (counter, table), else anything."""

        def ok(rid: str) -> bool:
            return all(catalog.accepts(self.t.receptacles[rid].type, t) for t in types)

        for stype in SURFACES:
            for rid in self.receptacles(stype):
                if ok(rid):
                    return rid
        for rid in self.t.receptacles:
            if ok(rid) and catalog.CAPACITY.get(self.t.receptacles[rid].type) is None:
                return rid
        raise PlanError(f"no receptacle in this room accepts {', '.join(types)}")

    def appliance(self, rtype: str, verb: str) -> None:
        """heat/cool/clean/fill the held object with the first ``rtype`` of the room."""
        held = self._held()
        rids = self.receptacles(rtype)
        if not rids:
            raise PlanError(f"no {rtype} in this room")
        if rids[0] not in self.t.here:
            self.do(f"go to {self.t.name(rids[0])}")
        self.do(f"{verb} {self.t.name(held)} with {self.t.name(rids[0])}")

    def toggle(self, oid: str, on: bool = True) -> None:
        if bool(self.obj(oid)["isToggled"]) is on:
            return
        self.goto(self.where(oid))
        self.do(f"use {self.t.name(oid)}")

    def pour_into(self, target: str) -> None:
        held = self._held()
        self.goto(self.where(target))
        self.do(f"pour {self.t.name(held)} into {self.t.name(target)}")

    def clear(self, rid: str, keep: Iterable[str] = ()) -> None:
        """Take everything (except ``keep``) out of a receptacle, putting it on a surface."""
        skip = set(keep)
        for oid in list(self.obj(rid)["receptacleObjectIds"] or ()):
            if oid not in skip and self.obj(oid)["pickupable"]:
                self.fetch(oid)
                self.put(self.surface([self.obj(oid)["objectType"]]))

    def slice(self, oid: str, workspace: str) -> list[str]:
        """Slice ``oid`` on ``workspace`` with the first knife; returns the pieces' ids (knife left there)."""
        if (self.obj(oid)["parentReceptacles"] or [None])[0] != workspace:
            self.fetch(oid)
            self.put(workspace)
        knives = self.of_type(*sorted(catalog.KNIVES))
        if not knives:
            raise PlanError("no knife in this room")
        self.fetch(knives[0])
        self.goto(workspace)
        self.do(f"slice {self.t.name(oid)} with {self.t.name(knives[0])}")
        self.put(workspace)
        return self.find(lambda o: o["objectId"].startswith(oid + "|"))

    def clean_dish(self, oid: str) -> None:
        """Hold ``oid`` and make sure it is clean."""
        self.fetch(oid)
        if self.obj(oid)["isDirty"]:
            self.appliance("SinkBasin", "clean")

    def _held(self) -> str:
        held = self.held
        if held is None:
            raise PlanError("the expert expected to hold something")
        return held


def solve(text: TextLayer, init: WorldInit, recipe: Callable[[Solver], None]) -> list[str]:
    """Run ``recipe`` with a solver over ``text`` (which it changes) and return the commands played."""
    solver = Solver(text, init)
    recipe(solver)
    return solver.commands
