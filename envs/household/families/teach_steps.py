"""What the TEACh families share: scene tests for their draws and the expert steps their recipes compose."""

from __future__ import annotations

import random
from collections.abc import Sequence

from envs.household import catalog
from envs.household.expert import Solver
from envs.household.families.base import Draw, Goal, lower
from envs.household.placement import SURFACES, Need, homes
from envs.household.scenes import Scene

WATER_CARRIERS = ("Cup", "Mug", "Bowl", "Pot", "WateringCan")
DISHES = ("Plate", "Bowl")
WASHABLE = ("Plate", "Mug", "Cup", "Bowl", "Pan", "Pot")
SLICEABLE = ("Tomato", "Lettuce", "Apple", "Bread", "Potato")
TIDY_OBJECTS = (
    "RemoteControl",
    "Book",
    "CellPhone",
    "CreditCard",
    "KeyChain",
    "Pen",
    "Pencil",
    "Newspaper",
    "Pillow",
    "Watch",
    "Vase",
    "Statue",
    "SoapBar",
    "SprayBottle",
    "ToiletPaper",
    "Candle",
    "Cloth",
    "Fork",
    "Spoon",
    "Spatula",
    "Ladle",
    "SaltShaker",
    "PepperShaker",
    "DishSponge",
    "Apple",
    "Tomato",
)
SLICE = {t: catalog.SLICES[t][0] for t in SLICEABLE}


def has(sc: Scene, *rtypes: str) -> bool:
    return all(sc.receptacles_of(t) for t in rtypes)


def spawnable_here(sc: Scene, *types: str) -> bool:
    return all(homes(sc, t) for t in types)


def workspace_ok(sc: Scene, types: Sequence[str]) -> bool:
    return any(r.type in SURFACES and all(catalog.accepts(r.type, t) for t in types) for r in sc.receptacles)


def knife_type(sc: Scene) -> str | None:
    present = [k for k in ("Knife", "ButterKnife") if k in sc.types and homes(sc, k)]
    return present[0] if present else ("Knife" if homes(sc, "Knife") else None)


def sharp_knife(sc: Scene) -> str | None:
    """TEACh's Sliced X wants a Knife in the room (a butter knife slices, but does not count)."""
    return "Knife" if homes(sc, "Knife") else None


def counts(goal: Goal, key: str, kinds: Sequence[str]) -> list[str]:
    return ["1" if kind in goal[key] else "0" for kind in kinds]


# ---------------------------------------------------------------- shared expert steps
def workspace(s: Solver, *types: str) -> str:
    return s.surface([*types, "Knife", "ButterKnife", "Plate", "Bowl"])


def ready_dish(s: Solver, container: str, place: str) -> str:
    dish = s.find(lambda o: o["objectType"] == container and not o["receptacleObjectIds"])[0]
    s.clean_dish(dish)
    s.put(place)
    return dish


def slices(s: Solver, whole_type: str, place: str) -> list[str]:
    piece = SLICE[whole_type]
    existing = s.of_type(piece)
    return existing or s.slice(s.of_type(whole_type)[0], place)


def toast(s: Solver, n: int, place: str) -> list[str]:
    """Toast ``n`` bread slices; they stay in the toaster."""
    toaster = s.receptacles("Toaster")[0]
    pieces = [x for x in slices(s, "Bread", place) if not s.obj(x)["isCooked"]][:n]
    for piece in pieces:
        s.fetch(piece)
        s.put(toaster)
        s.toggle(toaster, on=True)
    return pieces


def coffee(s: Solver) -> str:
    machine = s.receptacles("CoffeeMachine")[0]
    inside = [m for m in s.of_type("Mug") if machine in (s.obj(m)["parentReceptacles"] or ())]
    mug = (inside or s.of_type("Mug"))[0]
    s.clean_dish(mug)
    s.put(machine)
    s.toggle(machine, on=True)
    return mug


def plate_of_toast(s: Solver, n: int = 1) -> str:
    ws = workspace(s, "Bread", "BreadSliced")
    plate = ready_dish(s, "Plate", ws)
    for piece in toast(s, n, ws):
        s.fetch(piece)
        s.put(plate)
    return plate


def coffee_draw(rng: random.Random, sc: Scene) -> Draw | None:
    if not (has(sc, "CoffeeMachine", "SinkBasin") and spawnable_here(sc, "Mug")):
        return None
    return Draw({}, [Need("Mug", dirty=True)])


def toast_draw(extra: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    def draw(rng: random.Random, sc: Scene) -> Draw | None:
        knife = knife_type(sc)
        needed = ["Bread", *extra]
        if knife is None or not has(sc, "Toaster") or not spawnable_here(sc, *needed):
            return None
        if not workspace_ok(sc, ["Bread", "BreadSliced", knife]):
            return None
        return Draw({}, [Need(knife), *(Need(t) for t in needed)])

    return draw


def say(*templates: str):  # type: ignore[no-untyped-def]
    def write(goal: Goal, rng: random.Random) -> str:
        fields = {k: lower(v) if isinstance(v, str) else v for k, v in goal.items()}
        return rng.choice(templates).format(**fields)

    return write
