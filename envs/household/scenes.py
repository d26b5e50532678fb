"""The 120 iTHOR floor plans as compact, typed scene data (loaded once per process).

The data file ``data/scenes.json.gz`` is derived from the MIT-licensed alfworld 0.4.2 wheel by
``scripts/build_scene_data.py`` (licence text in ``data/LICENSE-alfworld.txt``, credits in ``data/CREDITS.md``).
Every backend and the ALFWorld game generator read receptacles, their AI2-THOR objectIds and interaction poses
from here, so all of them agree on what "cabinet 3" of FloorPlan12 is.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from msi_agent.records import Split

DATA_FILE = "scenes.json.gz"


class RoomType(StrEnum):
    """The household's environment categories: the household ``EnvSpec``'s categories are these values."""

    KITCHEN = "Kitchen"
    LIVING_ROOM = "LivingRoom"
    BEDROOM = "Bedroom"
    BATHROOM = "Bathroom"


class UnknownSceneError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


Place = tuple[int, int, int, int]


def place(pose: Sequence[float]) -> Place:
    """ALFRED's location of a pose ``(x, z, rotation°, horizon°)``: a 0.25 m grid cell, a quarter turn, the horizon."""
    x, z, rotation, horizon = pose
    return round(x / 0.25), round(z / 0.25), round(rotation / 90) % 4, round(horizon)


@dataclass(frozen=True, slots=True)
class Receptacle:
    """A static receptacle of a floor plan.

    pose: where the agent stands to interact with it: (x, z, rotation in degrees, camera horizon).
    synthesized: True when the scene lists the type but ALFWorld's pose table lacks it; the id's coordinates are
    then made up and a real-simulator backend maps it to the scene's nearest object of ``type``.
    """

    object_id: str
    type: str
    pose: tuple[float, float, int, int]
    synthesized: bool

    @property
    def place(self) -> Place:
        """ALFRED's location of the pose; receptacles with one place are all in reach from there."""
        return place(self.pose)

    @property
    def position(self) -> tuple[float, float, float]:
        """(x, y, z) parsed from the objectId (``Type|x|y|z``)."""
        parts = self.object_id.split("|")
        return float(parts[1]), float(parts[2]), float(parts[3])


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    number: int
    category: RoomType
    types: frozenset[str]
    receptacles: tuple[Receptacle, ...]
    start: tuple[float, float, int, int]

    def receptacles_of(self, rtype: str) -> tuple[Receptacle, ...]:
        return tuple(r for r in self.receptacles if r.type == rtype)

    @property
    def receptacle_types(self) -> frozenset[str]:
        return frozenset(r.type for r in self.receptacles)


@dataclass(frozen=True, slots=True)
class Tables:
    """ALFWorld's type tables (``alfworld/gen/constants.py``)."""

    objects: frozenset[str]
    movable_receptacles: frozenset[str]
    openable: frozenset[str]
    receptacle_objects: dict[str, frozenset[str]]
    action_objects: dict[str, frozenset[str]]
    goals_valid: dict[str, frozenset[RoomType]]
    train_scenes: tuple[int, ...]
    test_scenes: tuple[int, ...]

    def accepts(self, receptacle_type: str, object_type: str) -> bool:
        """Whether ``object_type`` may be put in/on ``receptacle_type`` (ALFWorld's canContain)."""
        allowed = self.receptacle_objects.get(receptacle_type)
        return allowed is not None and object_type in allowed


@dataclass(frozen=True, slots=True)
class _Data:
    scenes: dict[str, Scene]
    tables: Tables


@cache
def _load() -> _Data:
    raw = json.loads(gzip.decompress(files("envs.household").joinpath("data", DATA_FILE).read_bytes()))
    t = raw["tables"]
    tables = Tables(
        objects=frozenset(t["objects"]),
        movable_receptacles=frozenset(t["movable_receptacles"]),
        openable=frozenset(t["openable"]),
        receptacle_objects={k: frozenset(v) for k, v in t["receptacle_objects"].items()},
        action_objects={k: frozenset(v) for k, v in t["action_objects"].items()},
        goals_valid={k: frozenset(RoomType(c) for c in v) for k, v in t["goals_valid"].items()},
        train_scenes=tuple(t["train_scenes"]),
        test_scenes=tuple(t["test_scenes"]),
    )
    scenes = {}
    for name, s in raw["scenes"].items():
        receptacles = tuple(
            Receptacle(object_id=oid, type=rtype, pose=(pose[0], pose[1], pose[2], pose[3]), synthesized=bool(syn))
            for oid, rtype, pose, syn in s["receptacles"]
        )
        start = s["start"]
        scenes[name] = Scene(
            name=name,
            number=int(name.removeprefix("FloorPlan")),
            category=RoomType(s["category"]),
            types=frozenset(s["types"]),
            receptacles=receptacles,
            start=(start[0], start[1], start[2], start[3]),
        )
    return _Data(scenes=scenes, tables=tables)


def tables() -> Tables:
    return _load().tables


def scene(name: str) -> Scene:
    """The floor plan ``name`` (``"FloorPlan1"`` … ``"FloorPlan430"``)."""
    try:
        return _load().scenes[name]
    except KeyError:
        raise UnknownSceneError(
            f"unknown scene {name!r}; scenes are FloorPlan1-30 (kitchens), 201-230 (living rooms), "
            "301-330 (bedrooms), 401-430 (bathrooms)"
        ) from None


def scene_names(category: RoomType | None = None, split: Split | None = None) -> list[str]:
    """Scene names in numeric order, optionally restricted to a room type and/or a split.

    Splits follow ALFWorld: train and valid_seen use the 96 training floor plans, valid_unseen the 24 test floor
    plans, so unseen scenes never appear in training.
    """
    data = _load()
    if split is None:
        numbers: tuple[int, ...] = tuple(sorted(s.number for s in data.scenes.values()))
    elif split is Split.VALID_UNSEEN:
        numbers = data.tables.test_scenes
    else:
        numbers = data.tables.train_scenes
    names = [f"FloorPlan{n}" for n in sorted(numbers)]
    if category is not None:
        names = [n for n in names if data.scenes[n].category is category]
    return names
