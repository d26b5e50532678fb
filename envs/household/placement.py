"""Seeded object placement: turn a floor plan plus a task's needs into a ``WorldInit``.

Every pickupable type the scene lists gets one or two instances, each in a random receptacle that accepts it
(ALFWorld's compatibility table); a task's needs add instances (and states) on top. Fixed objects complete the
room: a faucet by every sink basin, house plants and desk lamps on surfaces, floor lamps beside furniture.
All randomness comes from the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from envs.backend import ObjectInit, WorldInit
from envs.household import catalog
from envs.household.catalog import NEVER_SPAWNED, THOR_DIRTYABLE, affordances
from envs.household.scenes import Receptacle, Scene

SURFACES = ("CounterTop", "DiningTable", "SideTable", "CoffeeTable", "Desk", "Dresser", "TVStand", "Shelf")
LAMP_FURNITURE = ("SideTable", "Desk", "Dresser", "Shelf")
FLOOR_LAMP_FURNITURE = ("SideTable", "Sofa", "ArmChair", "Bed", "Dresser", "Desk")
DIRTY_PROBABILITY = 0.3
SECOND_INSTANCE_PROBABILITY = 0.3


@dataclass(frozen=True)
class Need:
    """A task needs ``count`` instances of ``object_type`` (at least), in a given state, away from ``avoid``."""

    object_type: str
    count: int = 1
    dirty: bool | None = None
    liquid: str | None = None
    avoid: frozenset[str] = field(default_factory=frozenset)


def spawnable(object_type: str) -> bool:
    a = affordances(object_type)
    return a.pickupable and object_type not in NEVER_SPAWNED and object_type in catalog.tables().objects


def homes(sc: Scene, object_type: str, avoid: Iterable[str] = ()) -> list[Receptacle]:
    """Static receptacles of ``sc`` that accept ``object_type`` (minus the ``avoid`` types)."""
    banned = set(avoid)
    return [r for r in sc.receptacles if r.type not in banned and catalog.accepts(r.type, object_type)]


def _fmt(v: float) -> str:
    return f"{v:+06.2f}"


class _Builder:
    def __init__(self, rng: random.Random, sc: Scene) -> None:
        self.rng, self.sc = rng, sc
        self.objects: list[ObjectInit] = []
        self.ids: set[str] = {r.object_id for r in sc.receptacles}

    def new_id(self, object_type: str, anchor: Receptacle) -> str:
        x, y, z = anchor.position
        while True:
            oid = (
                f"{object_type}|{_fmt(x + self.rng.uniform(-0.4, 0.4))}|{_fmt(y + 0.05)}"
                f"|{_fmt(z + self.rng.uniform(-0.4, 0.4))}"
            )
            if oid not in self.ids:
                self.ids.add(oid)
                return oid

    def place(
        self, object_type: str, choices: list[Receptacle], *, dirty: bool, liquid: str | None = None, near: bool = False
    ) -> None:
        home = self.rng.choice(choices)
        oid = self.new_id(object_type, home)
        self.objects.append(
            ObjectInit(
                object_id=oid,
                object_type=object_type,
                parent=None if near else home.object_id,
                near=home.object_id if near else None,
                dirty=dirty,
                liquid=liquid,
            )
        )


def arrange(rng: random.Random, sc: Scene, needs: Iterable[Need] = ()) -> WorldInit | None:
    """A random arrangement of ``sc`` satisfying ``needs``, or None when a need has no possible home."""
    b = _Builder(rng, sc)
    wanted = {n.object_type: n for n in needs}
    for need in wanted.values():
        if not homes(sc, need.object_type, need.avoid):
            return None
    types = sorted(t for t in sc.types if spawnable(t) and homes(sc, t))
    for t in sorted(set(types) | set(wanted)):
        need = wanted.get(t)
        n = 2 if rng.random() < SECOND_INSTANCE_PROBABILITY else 1
        if need is not None:
            n = max(n, need.count)
        choices = homes(sc, t, need.avoid if need else ())
        for _ in range(n):
            if need is not None and need.dirty is not None:
                dirty = need.dirty
            else:
                dirty = t in THOR_DIRTYABLE and rng.random() < DIRTY_PROBABILITY
            b.place(t, choices, dirty=dirty, liquid=need.liquid if need else None)
    _fixed(b, sc)
    return WorldInit(scene=sc.name, objects=b.objects, agent=sc.start)


def _fixed(b: _Builder, sc: Scene) -> None:
    for basin in sc.receptacles_of("SinkBasin"):
        x, y, z = basin.position
        oid = f"Faucet|{_fmt(x)}|{_fmt(y + 0.3)}|{_fmt(z)}"
        b.ids.add(oid)
        b.objects.append(ObjectInit(object_id=oid, object_type="Faucet", near=basin.object_id))
    for t, furniture, near in (
        ("HousePlant", SURFACES, False),
        ("DeskLamp", LAMP_FURNITURE, False),
        ("FloorLamp", FLOOR_LAMP_FURNITURE, True),
    ):
        if t not in sc.types:
            continue
        choices = [r for r in sc.receptacles if r.type in furniture]
        if choices:
            b.place(t, choices, dirty=False, near=near)
