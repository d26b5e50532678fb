"""The CLI's task spec: generic keys read for any environment, names checked against its ``EnvSpec``."""

from __future__ import annotations

import pytest

import envs
from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.pipeline.suite import Suite
from msi_agent.pipeline.task_query import TaskQuery, TaskQueryError, parse_query
from msi_agent.records import Split, Task

HOUSEHOLD = envs.spec("household")


def _lab_sampler(**options: object) -> envs.TaskSampler:
    assert options == {}, options  # the spec sets no category_filter, so nothing reaches the sampler

    def sample(split: Split, count: int, *, seed: int, families: object) -> list[Task]:
        return [Task(id=f"lab-{seed}-{i}", family="weigh", environment="Lab", scene="bench", instruction="weigh it",
                     split=split, seed=seed) for i in range(count)]  # fmt: skip

    return sample


LAB = envs.EnvSpec(name="lab", entry_point=HouseholdEnv, sampler=_lab_sampler, families=("weigh",),
                   categories=("Lab", "Garage"), scale="workplace")  # fmt: skip


def test_every_key_is_read_and_environments_means_categories() -> None:
    query = parse_query(" families=toast, coffee ; split=valid_seen; n=20;seed=1;environments=Kitchen ", HOUSEHOLD)
    assert query == TaskQuery(families=["toast", "coffee"], split=Split.VALID_SEEN, n=20, seed=1,
                              categories=["Kitchen"])  # fmt: skip
    assert parse_query("", HOUSEHOLD) == TaskQuery()
    assert parse_query("categories=Bathroom,Bedroom", HOUSEHOLD).categories == ["Bathroom", "Bedroom"]


@pytest.mark.parametrize(("text", "message"), [
    ("families=nope", r"unknown task families \['nope'\] for environment 'household'; known: pick_and_place_simple"),
    ("n=many", "n: Input should be a valid integer"),
    ("n=-1", "n: Input should be greater than or equal to 0"),
    ("split=test", "split: Input should be 'train', 'valid_seen' or 'valid_unseen'"),
    ("seed", "'seed' is not key=value"),
    ("n=1;n=2", "'n' is given twice"),
    ("categories=Kitchen;environments=Bedroom", "'categories' is given twice"),
    ("colour=red", "unknown key 'colour'.*known keys: families, split, n, seed, categories, environments"),
    ("families=", "families is empty"),
    ("environments=Garage", r"unknown room type \['Garage'\] for environment 'household'; known: Kitchen"),
])  # fmt: skip
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TaskQueryError, match=message):
        parse_query(text, HOUSEHOLD)


def test_household_tasks_are_the_samplers_own() -> None:
    query = parse_query("families=toast,coffee;split=valid_seen;n=3;seed=1", HOUSEHOLD)
    tasks = query.sample(query.suite(HOUSEHOLD))
    expected = sample_tasks(TaskSpec(families=["toast", "coffee"], split=Split.VALID_SEEN, n=3, seed=1))
    assert [t.model_dump(exclude={"created"}) for t in tasks] == [t.model_dump(exclude={"created"}) for t in expected]


def test_categories_restrict_sampling_and_never_reach_the_environment() -> None:
    suite = Suite.from_spec(HOUSEHOLD, {"categories": "Bathroom", "max_steps": 5})
    tasks = suite.sample(Split.TRAIN, 6, seed=2, families=[])
    assert {t.environment for t in tasks} == {"Bathroom"}
    with suite.make_env() as env:  # HouseholdEnv would refuse a categories option
        assert env._max_steps_override == 5
    assert tasks == sample_tasks(TaskSpec(n=6, seed=2, environments=["Bathroom"]))


def test_an_environment_without_category_filter_refuses_categories_and_samples_otherwise() -> None:
    with pytest.raises(TaskQueryError, match="environment 'lab' cannot sample by workplace: leave out categories"):
        parse_query("categories=Lab", LAB)
    with pytest.raises(ValueError, match="cannot sample by workplace"):
        Suite.from_spec(LAB, {"categories": ["Lab"]})
    query = parse_query("n=2;seed=4;split=valid_unseen", LAB)
    assert [t.id for t in query.sample(query.suite(LAB))] == ["lab-4-0", "lab-4-1"]
    unchecked = TaskQuery(families=["juggle"])  # built in code: the suite still refuses what the spec does not know
    with pytest.raises(ValueError, match=r"unknown task families \['juggle'\] for environment 'lab'; known: weigh"):
        unchecked.sample(unchecked.suite(LAB))
