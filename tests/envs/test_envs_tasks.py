"""Task sets: determinism across calls, split discipline, coverage, room filters."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from envs.household.scenes import scene_names
from envs.tasks import TaskSpec, TaskSpecError, family_names, sample_tasks
from msi_agent.records import Split, Task


def test_same_spec_same_tasks_and_prefix_stability() -> None:
    spec = TaskSpec(n=40, seed=11, split=Split.VALID_SEEN)
    a, b = sample_tasks(spec), sample_tasks(spec)
    assert [t.model_dump(exclude={"created"}) for t in a] == [t.model_dump(exclude={"created"}) for t in b]
    shorter = sample_tasks(TaskSpec(n=10, seed=11, split=Split.VALID_SEEN))
    assert [t.id for t in shorter] == [t.id for t in a[:10]]
    other = sample_tasks(TaskSpec(n=40, seed=12, split=Split.VALID_SEEN))
    assert [t.id for t in other] != [t.id for t in a]


def test_known_task_is_pinned() -> None:
    """Guards cross-machine determinism: change only on purpose (it re-draws every task set)."""
    task = sample_tasks(TaskSpec(n=1, seed=0, families=["pick_heat_then_place_in_recep"]))[0]
    digest = hashlib.blake2b(json.dumps(task.params, sort_keys=True).encode(), digest_size=8).hexdigest()
    assert (task.id, task.scene, task.instruction, digest) == PINNED


PINNED = (
    "pick_heat_then_place_in_recep-FloorPlan29-b9f80f20144d",
    "FloorPlan29",
    "heat some bread and put it in countertop.",
    "aa99ace89170a453",
)


def test_tasks_carry_everything_to_rebuild_the_world() -> None:
    task = sample_tasks(TaskSpec(n=1, seed=3, families=["sandwich"]))[0]
    again = Task.model_validate_json(task.model_dump_json())
    assert again.params == task.params
    assert {"init", "goal", "max_steps"} <= set(task.params)
    assert task.params["init"]["scene"] == task.scene


def test_splits_and_environment_filters() -> None:
    unseen = set(scene_names(split=Split.VALID_UNSEEN))
    train = sample_tasks(TaskSpec(n=120, seed=1, split=Split.TRAIN))
    assert not {t.scene for t in train} & unseen
    test = sample_tasks(TaskSpec(n=60, seed=1, split=Split.VALID_UNSEEN))
    assert {t.scene for t in test} <= unseen
    baths = sample_tasks(TaskSpec(n=12, seed=1, environments=["Bathroom"]))
    assert {t.environment for t in baths} == {"Bathroom"}
    assert {t.family for t in baths} <= {f for f in family_names() if "heat" not in f}


def test_families_round_robin_and_room_rules() -> None:
    tasks = sample_tasks(TaskSpec(n=len(family_names()) * 3, seed=2))
    assert {t.family for t in tasks} == set(family_names())
    for t in tasks:
        if t.family in ("pick_heat_then_place_in_recep", "pick_cool_then_place_in_recep", "coffee", "sandwich"):
            assert t.environment == "Kitchen"
        if t.family == "look_at_obj_in_light":
            assert t.environment in ("LivingRoom", "Bedroom")


def test_impossible_combination_is_explained() -> None:
    with pytest.raises(TaskSpecError, match="cannot occur"):
        sample_tasks(TaskSpec(families=["coffee"], environments=["Bedroom"], n=1))


DIGEST_SCRIPT = """
import hashlib, json
from envs.tasks import TaskSpec, sample_tasks
tasks = sample_tasks(TaskSpec(n=60, seed=4))
print(hashlib.blake2b(json.dumps([t.model_dump(mode="json", exclude={"created"}) for t in tasks],
                                 sort_keys=True).encode()).hexdigest())
"""


@pytest.mark.slow
def test_sampling_does_not_depend_on_hash_randomisation() -> None:
    digests = set()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST_SCRIPT], env=env, capture_output=True, text=True, check=True, timeout=120
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
