"""Example programs: built from expert demonstrations by the environment, retrieved by similarity of the request."""

from __future__ import annotations

import pytest

from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from insights_store.embeddings import get_embeddings
from msi_agent.agent.program import Example, ProgramLibrary
from msi_agent.experience.demos import expert_episode
from msi_agent.records import Split


def test_examples_come_from_expert_plans_and_the_closest_request_wins() -> None:
    train = sample_tasks(TaskSpec(families=["coffee", "water_plant", "clean_all_x"], n=6, seed=3))
    with HouseholdEnv() as env:
        demos = [expert_episode(env, t) for t in train]
        library = ProgramLibrary.from_demos(demos, env, get_embeddings("hash"))
    assert len(library.examples) == 6 and all("InteractionObject(" in e.program for e in library.examples)
    query = sample_tasks(TaskSpec(families=["water_plant"], n=1, seed=9, split=Split.VALID_SEEN))[0]
    [best] = library.for_task(query, k=1)
    assert best.task.family == "water_plant"
    block = library.render(query, k=2)
    assert block.startswith("Here are programs that solved similar tasks:") and block.count("```python") == 2
    assert all(e.task.id != train[0].id for e in library.for_task(train[0], k=6))  # never the task itself


def test_an_environment_without_programs_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="cannot turn plans into programs"):
        ProgramLibrary.from_demos([], object())
    assert (
        ProgramLibrary([Example(sample_tasks(TaskSpec(families=["coffee"], n=1))[0], "x")]).render(
            sample_tasks(TaskSpec(families=["coffee"], n=1))[0]
        )
        == ""
    )
