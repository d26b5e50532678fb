"""Derive the household simulator's compact scene data from the MIT-licensed alfworld 0.4.2 wheel.

Usage (the wheel is 356 kB and comes from PyPI; nothing else is downloaded):

    pip download --no-deps alfworld==0.4.2 -d /tmp/alfw
    python scripts/build_scene_data.py /tmp/alfw/alfworld-0.4.2-py3-none-any.whl

Writes ``envs/household/data/scenes.json.gz`` (byte-for-byte reproducible: sorted keys, gzip mtime 0) and
``envs/household/data/LICENSE-alfworld.txt`` (the wheel's licence text, shipped beside the derived tables).

What is derived:
- per floor plan: room category, the object types present (``FloorPlanN-objects.json``), and every static receptacle
  with its AI2-THOR objectId, type, and interaction pose ``[x, z, rotation, horizon]`` (``FloorPlanN-openable.json``);
- static receptacles that ``objects.json`` lists but ``openable.json`` lacks (GarbageCan, SinkBasin, StoveBurner,
  CoffeeMachine, Toaster, TowelHolder, ...) are added with a pose drawn from the reachable grid
  (``FloorPlanN-layout.npy``) and a synthesized objectId ``Type|x|y|z`` placed 0.75 m in front of that pose; these
  are flagged ``synth`` so a real-simulator backend knows to resolve them to the scene's real object of that type;
- a start pose per scene from the reachable grid;
- the tables of ``alfworld/gen/constants.py``: object and receptacle lists, receptacle↔object compatibility,
  action-object classes, openable classes, train/test scene numbers, valid room types per goal.

All choices are made with blake2b over the scene name, so the output never depends on Python's salted ``hash``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parent.parent / "envs" / "household" / "data"
CATEGORIES = {
    range(1, 31): "Kitchen",
    range(201, 231): "LivingRoom",
    range(301, 331): "Bedroom",
    range(401, 431): "Bathroom",
}
# Receptacles that ALFWorld names after their basin part: "Sink|...|SinkBasin" is a SinkBasin.
BASIN_OF = {"Sink": "SinkBasin", "Bathtub": "BathtubBasin"}
# How many instances to synthesize when a static receptacle type is missing from openable.json.
SYNTH_COUNT = {"StoveBurner": 2}
# Rough heights (m) of synthesized receptacles, so objectIds look like THOR's.
SYNTH_HEIGHT = {
    "GarbageCan": 0.0,
    "Toilet": 0.0,
    "LaundryHamper": 0.0,
    "Ottoman": 0.0,
    "Safe": 0.0,
    "TowelHolder": 1.1,
    "HandTowelHolder": 1.5,
    "ToiletPaperHanger": 0.7,
    "Shelf": 0.9,
}


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _fmt(v: float) -> str:
    return f"{v:+06.2f}" if v != 0 else "+00.00"


def _object_id(obj_type: str, x: float, y: float, z: float) -> str:
    return f"{obj_type}|{_fmt(x)}|{_fmt(y)}|{_fmt(z)}"


def _load_constants(wheel: zipfile.ZipFile) -> dict[str, object]:
    """Execute ``alfworld/gen/constants.py`` (stdlib imports only) and return its namespace."""
    source = wheel.read("alfworld/gen/constants.py").decode()
    namespace: dict[str, object] = {"__name__": "alfworld_constants"}
    exec(compile(source, "alfworld/gen/constants.py", "exec"), namespace)
    return namespace


def _category(num: int) -> str:
    for numbers, name in CATEGORIES.items():
        if num in numbers:
            return name
    raise ValueError(f"floor plan {num} is in no known room range")


def _receptacle_type(object_id: str) -> str:
    parts = object_id.split("|")
    return parts[-1] if len(parts) > 4 else parts[0]


def _scene(wheel: zipfile.ZipFile, num: int, static_receptacles: set[str]) -> dict[str, object]:
    base = f"alfworld/gen/layouts/FloorPlan{num}"
    types: list[str] = json.loads(wheel.read(f"{base}-objects.json"))
    openable: dict[str, list[float]] = json.loads(wheel.read(f"{base}-openable.json"))
    grid = np.load(io.BytesIO(wheel.read(f"{base}-layout.npy")))
    points = sorted((round(float(x), 2), round(float(z), 2)) for x, z in grid)
    name = f"FloorPlan{num}"
    receptacles: list[list[object]] = []
    for object_id in sorted(openable):
        x, z, rot, horizon = openable[object_id]
        receptacles.append([object_id, _receptacle_type(object_id), [x, z, int(rot), int(horizon)], 0])
    present = {r[1] for r in receptacles}
    used_ids = {r[0] for r in receptacles}
    for raw_type in sorted(set(types)):
        rtype = BASIN_OF.get(raw_type, raw_type)
        if rtype not in static_receptacles or rtype in present:
            continue
        present.add(rtype)
        for i in range(SYNTH_COUNT.get(rtype, 1)):
            px, pz = points[_digest(name, rtype, i) % len(points)]
            rot = 90 * (_digest(name, rtype, i, "rot") % 4)
            dx, dz = {0: (0.0, 0.75), 90: (0.75, 0.0), 180: (0.0, -0.75), 270: (-0.75, 0.0)}[rot]
            y = SYNTH_HEIGHT.get(rtype, 0.9)
            object_id = _object_id(raw_type, px + dx, y, pz + dz)
            if raw_type != rtype:
                object_id += f"|{rtype}"
            if object_id in used_ids:
                object_id = _object_id(raw_type, px + dx, y + 0.01 * (i + 1), pz + dz)
            used_ids.add(object_id)
            receptacles.append([object_id, rtype, [px, pz, rot, 30], 1])
    sx, sz = points[_digest(name, "start") % len(points)]
    return {
        "category": _category(num),
        "types": sorted(set(types)),
        "receptacles": receptacles,
        "start": [sx, sz, 90 * (_digest(name, "start-rot") % 4), 0],
    }


def build(wheel_path: Path) -> dict[str, object]:
    with zipfile.ZipFile(wheel_path) as wheel:
        c = _load_constants(wheel)
        movable = set(c["MOVABLE_RECEPTACLES"])  # type: ignore[arg-type]
        static_receptacles = set(c["RECEPTACLES"]) - movable  # type: ignore[arg-type]
        numbers = sorted(c["SCENE_NUMBERS"])  # type: ignore[arg-type]
        scenes = {f"FloorPlan{n}": _scene(wheel, n, static_receptacles) for n in numbers}
        licence = wheel.read("alfworld-0.4.2.dist-info/LICENSE").decode()
    tables = {
        "objects": sorted(c["OBJECTS"]),  # type: ignore[arg-type]
        "receptacles": sorted(c["RECEPTACLES"]),  # type: ignore[arg-type]
        "movable_receptacles": sorted(movable),
        "openable": sorted(c["OPENABLE_CLASS_LIST"]),  # type: ignore[arg-type]
        "receptacle_objects": {k: sorted(v) for k, v in c["VAL_RECEPTACLE_OBJECTS"].items()},  # type: ignore[attr-defined]
        "action_objects": {k: sorted(v) for k, v in c["VAL_ACTION_OBJECTS"].items()},  # type: ignore[attr-defined]
        "goals_valid": {k: sorted(v) for k, v in c["GOALS_VALID"].items()},  # type: ignore[attr-defined]
        "train_scenes": sorted(c["TRAIN_SCENE_NUMBERS"]),  # type: ignore[arg-type]
        "test_scenes": sorted(c["TEST_SCENE_NUMBERS"]),  # type: ignore[arg-type]
    }
    return {"version": 1, "source": "alfworld==0.4.2", "licence": licence, "tables": tables, "scenes": scenes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="path to alfworld-0.4.2-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: envs/household/data)")
    args = parser.parse_args(argv)
    if not args.wheel.is_file():
        print(
            f"error: {args.wheel} is not a file; run: pip download --no-deps alfworld==0.4.2 -d /tmp/alfw",
            file=sys.stderr,
        )
        return 2
    data = build(args.wheel)
    licence = str(data.pop("licence"))
    args.out.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    with (args.out / "scenes.json.gz").open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)
    (args.out / "LICENSE-alfworld.txt").write_text(licence)
    n_recep = sum(len(s["receptacles"]) for s in data["scenes"].values())  # type: ignore[attr-defined]
    print(f"wrote {args.out / 'scenes.json.gz'}: {len(data['scenes'])} scenes, {n_recep} receptacles")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
