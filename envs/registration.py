"""The environment registry: ``make(name, **kwargs)`` and ``register(name, factory_or_"module:attr")``.

Built-in entries are lazy ``"module:attr"`` strings, so ``import envs`` stays cheap and heavy backends (ai2thor,
alfworld) load only when chosen. Third-party packages add environments through the entry-point group
``msi_agent.envs`` (``[project.entry-points."msi_agent.envs"] myenv = "mypkg.env:MyEnv"``).
"""

from __future__ import annotations

from collections.abc import Callable

from envs.core import Env
from msi_agent.registry import Registry

ENV_GROUP = "msi_agent.envs"

registry: Registry[Env] = Registry("environment", ENV_GROUP)

# Built-in environments: one line each, lazy. ("ai2thor" and "alfworld" belong to envs/thor and envs/alfworld.)
registry.register("household", "envs.household.env:HouseholdEnv")
registry.register("ai2thor", "envs.thor.env:ThorEnv")
registry.register("alfworld", "envs.alfworld.engine:AlfworldEnv")


def register(name: str, factory: Callable[..., Env] | str, *, replace: bool = False) -> None:
    """Add an environment: a callable returning an ``Env``, or a lazy ``"package.module:attr"`` path."""
    registry.register(name, factory, replace=replace)


def make(name: str, /, **kwargs: object) -> Env:
    """A new instance of the environment registered as ``name`` (raises ``UnknownPluginError`` listing names)."""
    return registry.create(name, **kwargs)


def names() -> list[str]:
    return registry.names()
