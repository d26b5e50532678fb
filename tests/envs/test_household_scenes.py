"""Scene data: all 120 floor plans, splits, synthesized receptacles, and the build script's reproducibility."""

from __future__ import annotations

import gzip
import os
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

from envs.household.scenes import RoomType, UnknownSceneError, scene, scene_names, tables
from msi_agent.records import Split

WHEEL = Path(os.environ.get("ALFWORLD_WHEEL", "/tmp/alfw/alfworld-0.4.2-py3-none-any.whl"))


def test_all_120_floor_plans_by_room_type() -> None:
    names = scene_names()
    assert len(names) == 120
    counts = Counter(scene(n).category for n in names)
    assert counts == {c: 30 for c in RoomType}
    assert scene("FloorPlan1").category == "Kitchen"
    assert scene("FloorPlan430").category == "Bathroom"


def test_splits_keep_unseen_scenes_out_of_training() -> None:
    train, seen, unseen = (set(scene_names(split=s)) for s in Split)
    assert train == seen and len(train) == 96 and len(unseen) == 24
    assert not train & unseen
    assert {scene(n).category for n in unseen} == set(RoomType)


def test_receptacles_have_thor_ids_poses_and_fill_gaps() -> None:
    kitchen = scene("FloorPlan1")
    for rtype in ("SinkBasin", "StoveBurner", "CoffeeMachine", "Toaster", "GarbageCan", "Fridge", "Microwave"):
        assert kitchen.receptacles_of(rtype), rtype
    assert any(r.synthesized for r in kitchen.receptacles)
    for name in scene_names():
        sc = scene(name)
        ids = [r.object_id for r in sc.receptacles]
        assert len(ids) == len(set(ids)), name
        for r in sc.receptacles:
            assert len(r.position) == 3 and r.pose[2] in (0, 90, 180, 270), r
    bath = scene("FloorPlan401")
    assert {"Toilet", "TowelHolder", "HandTowelHolder", "ToiletPaperHanger"} <= bath.receptacle_types


def test_tables_and_errors() -> None:
    t = tables()
    assert t.accepts("Fridge", "Apple") and not t.accepts("Toaster", "Apple")
    assert "Kitchen" not in {c.value for c in t.goals_valid["look_at_obj_in_light"]}
    with pytest.raises(UnknownSceneError, match="FloorPlan1-30"):
        scene("FloorPlan999")


def test_data_file_is_small() -> None:
    raw = files("envs.household").joinpath("data", "scenes.json.gz").read_bytes()
    assert len(raw) < 100_000 and len(gzip.decompress(raw)) < 1_000_000


@pytest.mark.skipif(not WHEEL.is_file(), reason=f"no {WHEEL} (pip download --no-deps alfworld==0.4.2)")
def test_build_script_reproduces_committed_data(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_scene_data", Path("scripts/build_scene_data.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(WHEEL), "--out", str(tmp_path)]) == 0
    committed = files("envs.household").joinpath("data", "scenes.json.gz").read_bytes()
    assert (tmp_path / "scenes.json.gz").read_bytes() == committed
    assert "MIT License" in (tmp_path / "LICENSE-alfworld.txt").read_text()
