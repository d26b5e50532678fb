"""The TEACh families take their goals from the official definitions: a quick check per family and split (the
slow property test in ``test_household_properties`` plays thousands)."""

from __future__ import annotations

import pytest

from envs.backend import WorldInit
from envs.household.env import HouseholdEnv
from envs.household.families import family, family_names
from envs.tasks import TaskSpec, sample_tasks
from envs.teach.definitions import definitions
from msi_agent.records import Split

TEACH = [n for n in family_names() if family(n).source == "teach"]


def test_every_teach_family_names_an_official_definition() -> None:
    assert len(TEACH) == 13 + 9  # the TfD families, then the other definitions that fit the simulator
    offered = {family(n).definition.split(" ", 1)[1] for n in TEACH}  # type: ignore[union-attr]
    assert set(definitions()) - offered == {"Candles", "Workspace", "Basic Bathroom Tasks"}
    for name in TEACH:
        label = family(name).definition
        assert label is not None and label.split(" ", 1)[1] in definitions(), name
    assert all(family(n).definition is None for n in family_names() if n not in TEACH)


@pytest.mark.parametrize("split", [Split.VALID_SEEN, Split.VALID_UNSEEN])
def test_expert_meets_the_definition_and_reset_does_not(split: Split) -> None:
    env = HouseholdEnv()
    for task in sample_tasks(TaskSpec(families=TEACH, n=2 * len(TEACH), seed=5, split=split)):
        check = family(task.family).goal_check(task.params["goal"], WorldInit.model_validate(task.params["init"]))
        obs = env.reset(task)
        start = check(env.text.metadata)
        assert not start.success and obs.info["gc_total"] == start.total - start.satisfied >= 1, task.id
        assert obs.info["unmet"] == start.unmet
        for command in env.expert_plan():
            info = env.step(command).info
        end = check(env.text.metadata)
        assert end.success and info["won"] and info["gc_satisfied"] == info["gc_total"] and not info["unmet"], task.id


def test_breakfast_is_served_on_its_receptacle() -> None:
    tasks = sample_tasks(TaskSpec(families=["breakfast"], n=12, seed=2))
    assert {t.params["goal"]["serving"] for t in tasks} == {"CounterTop", "DiningTable"}
    for task in tasks:
        assert task.instruction.endswith(f"served on the {task.params['goal']['serving'].lower()}.")
        assert family("breakfast").teach.bind(task.params["goal"]).params[-1] == task.params["goal"]["serving"]  # type: ignore[union-attr]
