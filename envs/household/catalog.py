"""Object types and their affordances, as AI2-THOR defines them (the flags of THOR object metadata).

ALFWorld's tables (``scenes.tables()``) say which receptacle accepts which object and which objects can be heated,
cooled, cleaned or sliced; the extra facts here (what toggles, what holds liquid, what cooks, what slicing yields)
come from AI2-THOR's object documentation. ALFWorld's "cleanable" objects are all ``dirtyable`` here, so that
cleaning is visible in THOR-shaped metadata as ``isDirty`` going False.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from envs.household.scenes import tables

SLICES: dict[str, tuple[str, int]] = {
    "Apple": ("AppleSliced", 3),
    "Bread": ("BreadSliced", 4),
    "Lettuce": ("LettuceSliced", 3),
    "Potato": ("PotatoSliced", 3),
    "Tomato": ("TomatoSliced", 3),
    "Egg": ("EggCracked", 1),
}
"""What slicing a type yields in THOR: (slice type, how many pieces we create)."""

SLICE_SOURCE = {piece: whole for whole, (piece, _) in SLICES.items()}

FIXED_TYPES = frozenset({"Faucet", "HousePlant", "DeskLamp", "FloorLamp"})
"""Non-pickupable objects the text layer shows and tasks use (lamps, faucets, plants)."""

NEVER_SPAWNED = frozenset({
    "Blinds", "Curtains", "Window", "Mirror", "LightSwitch", "Painting", "Poster", "ShowerDoor", "ShowerGlass",
    "ShowerCurtain", "ShowerHead", "StoveKnob", "Sink", "Bathtub", "Chair", "Television", "LaundryHamperLid",
    "Footstool", "Boots", "PaintingHanger", "Stool", "Faucet",
})  # fmt: skip
"""Types present in the scene lists that the symbolic world does not place as task objects."""

TOGGLEABLE = frozenset({"DeskLamp", "FloorLamp", "Microwave", "Toaster", "CoffeeMachine", "StoveBurner", "Faucet"})
FILLABLE = frozenset({"Bowl", "Cup", "Mug", "Pot", "Kettle", "WateringCan", "HousePlant", "WineBottle", "Glassbottle"})
COOKABLE = frozenset({"Potato", "PotatoSliced", "BreadSliced", "Egg", "EggCracked"})
THOR_DIRTYABLE = frozenset({"Bowl", "Cloth", "Cup", "Mug", "Pan", "Plate", "Pot"})
BREAKABLE = frozenset(
    {"Bowl", "Cup", "Mug", "Plate", "Egg", "WineBottle", "Glassbottle", "Vase", "Statue", "CellPhone", "Laptop"}
)
USED_UP = frozenset({"ToiletPaper", "PaperTowelRoll", "SoapBottle", "TissueBox", "ToiletPaperRoll"})
HEAT_SOURCES = frozenset({"Microwave", "StoveBurner", "Toaster", "CoffeeMachine"})
COLD_SOURCES = frozenset({"Fridge"})
FOOD = frozenset({"Apple", "Bread", "Lettuce", "Potato", "Tomato", "Egg"} | set(SLICE_SOURCE))
KNIVES = frozenset({"Knife", "ButterKnife"})
CAPACITY = {"CoffeeMachine": 1, "StoveBurner": 1, "Toaster": 2}
"""Receptacles that hold only a few things at a time (others are unbounded)."""


@dataclass(frozen=True, slots=True)
class Affordances:
    pickupable: bool
    receptacle: bool
    openable: bool
    toggleable: bool
    sliceable: bool
    cookable: bool
    dirtyable: bool
    fillable: bool
    breakable: bool
    used_up: bool
    heatable: bool
    coolable: bool
    heat_source: bool
    cold_source: bool
    materials: tuple[str, ...]
    mass: float


@cache
def affordances(object_type: str) -> Affordances:
    t = tables()
    static_receptacles = set(t.receptacle_objects) - t.movable_receptacles
    fixed = object_type in FIXED_TYPES or object_type in static_receptacles or object_type in NEVER_SPAWNED
    food = object_type in FOOD
    return Affordances(
        pickupable=not fixed,
        receptacle=object_type in t.receptacle_objects,
        openable=object_type in t.openable,
        toggleable=object_type in TOGGLEABLE,
        sliceable=object_type in SLICES,
        cookable=object_type in COOKABLE,
        dirtyable=object_type in THOR_DIRTYABLE or object_type in t.action_objects["Cleanable"],
        fillable=object_type in FILLABLE,
        breakable=object_type in BREAKABLE,
        used_up=object_type in USED_UP,
        heatable=object_type in t.action_objects["Heatable"] or object_type in COOKABLE,
        coolable=object_type in t.action_objects["Coolable"],
        heat_source=object_type in HEAT_SOURCES,
        cold_source=object_type in COLD_SOURCES,
        materials=("Food",) if food else (),
        mass=0.2 if food else (0.0 if fixed else 0.5),
    )


def display_name(object_type: str) -> str:
    """The ALFWorld-style name stem: ``"Apple"`` → ``"apple"``, ``"AppleSliced"`` → ``"apple slice"``."""
    if object_type in SLICE_SOURCE:
        return SLICE_SOURCE[object_type].lower() + (" slice" if object_type.endswith("Sliced") else " cracked")
    return object_type.lower()


_COOKWARE = frozenset({"Plate", "Bowl", "Pan", "Pot"})


def accepts(receptacle_type: str, object_type: str) -> bool:
    """ALFWorld's canContain, extended the way AI2-THOR behaves for pieces: a receptacle that takes a whole apple
    takes its slices, and plates, bowls, pans and pots take any slice (toast on a plate, an egg in a pan)."""
    t = tables()
    if t.accepts(receptacle_type, object_type):
        return True
    whole = SLICE_SOURCE.get(object_type)
    return whole is not None and (t.accepts(receptacle_type, whole) or receptacle_type in _COOKWARE)
