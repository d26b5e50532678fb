"""The environment registry: lazy built-ins, third-party registration, clear errors."""

from __future__ import annotations

import pytest

import envs
from envs.household.env import HouseholdEnv
from envs.registration import registry
from msi_agent.registry import UnknownPluginError


def test_household_is_registered_and_made() -> None:
    assert "household" in envs.names()
    with envs.make("household", max_steps=7) as env:
        assert isinstance(env, HouseholdEnv) and env._max_steps_override == 7


def test_register_callable_and_lazy_path() -> None:
    envs.register("test-household-callable", lambda **kw: HouseholdEnv(**kw))
    envs.register("test-household-lazy", "envs.household.env:HouseholdEnv")
    try:
        assert isinstance(envs.make("test-household-callable"), HouseholdEnv)
        assert isinstance(envs.make("test-household-lazy"), HouseholdEnv)
        with pytest.raises(ValueError, match="already registered"):
            envs.register("test-household-lazy", "envs.household.env:HouseholdEnv")
    finally:
        registry._entries.pop("test-household-callable", None)
        registry._entries.pop("test-household-lazy", None)


def test_unknown_names_list_what_exists() -> None:
    with pytest.raises(UnknownPluginError, match=r"household.*msi_agent\.envs"):
        envs.make("holodeck")


def test_every_builtin_has_a_spec_with_sampler_families_and_categories() -> None:
    from envs.household.scenes import RoomType

    for name in ("household", "ai2thor", "alfworld"):
        spec = envs.spec(name)
        assert spec.name == name and spec.sampler is not None and spec.scale == "room type"
        assert spec.categories == tuple(RoomType)  # the registry stays import-light, so it spells them out
        assert set(spec.default_families) <= set(spec.family_names()) and "toast" in spec.family_names()


def test_a_bare_factory_has_no_sampler_and_says_what_to_register() -> None:
    from msi_agent.pipeline.suite import Suite

    envs.register("test-bare", "envs.household.env:HouseholdEnv")
    try:
        with pytest.raises(envs.MissingSamplerError, match=r"'test-bare' has no task sampler.*EnvSpec\(name="):
            Suite.from_registry("test-bare")
    finally:
        registry._entries.pop("test-bare", None)


def test_sampled_tasks_must_carry_a_category_of_the_spec() -> None:
    from msi_agent.pipeline.suite import Suite
    from msi_agent.records import Split, Task

    def sampler(**_: object) -> envs.TaskSampler:
        def sample(split: Split, count: int, *, seed: int, families: object) -> list[Task]:
            return [Task(id="t", family="f", environment="Attic", scene="s", instruction="x")]

        return sample

    spec = envs.EnvSpec(name="attic", entry_point=HouseholdEnv, sampler=sampler, families=("f",), categories=("Lab",))
    suite = Suite.from_spec(spec)
    with pytest.raises(ValueError, match=r"environment 'Attic'.*not one of its categories \['Lab'\]"):
        suite.sample(Split.TRAIN, 1, seed=0, families=[])
    with pytest.raises(ValueError, match=r"unknown task families \['g'\] for environment 'attic'; known: f"):
        suite.sample(Split.TRAIN, 1, seed=0, families=["g"])
    with pytest.raises(TypeError, match="takes an EnvSpec alone"):
        envs.register(spec, "x")  # type: ignore[arg-type]
