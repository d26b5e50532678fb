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
