"""What the pipeline needs from an environment: fresh instances and seeded task lists.

``Suite.from_registry(name, options)`` pairs ``envs.make(name, **options)`` with the task sampler registered under
the same name (``TASK_SAMPLERS``: household tasks for ``household``, live-scene tasks for ``ai2thor``; other
environments that run household tasks fall back to the household sampler). Any other environment plugs in by
building a ``Suite`` from two callables (see ``examples/custom_env.py``) or by registering a sampler factory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import envs
from envs.core import Env
from msi_agent.records import Split, Task
from msi_agent.registry import Registry

SAMPLER_ONLY_OPTIONS = ("max_steps",)
"""Env options that concern the episode, not the world a sampler starts; not passed to sampler factories."""


class TaskSampler(Protocol):
    def __call__(self, split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        """``count`` tasks of ``split`` (the same seed gives the same tasks); ``families`` empty means all."""
        ...


def household_sampler(**options: object) -> TaskSampler:
    from envs.tasks import TaskSpec, sample_tasks

    def sample(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        if count <= 0:
            return []
        return list(sample_tasks(TaskSpec(split=split, n=count, seed=seed, families=list(families) or None)))

    return sample


TASK_SAMPLERS: Registry[TaskSampler] = Registry("task sampler", "msi_agent.task_samplers")
"""Env name → factory(**env options) returning a ``TaskSampler``."""
TASK_SAMPLERS.register("household", household_sampler)
TASK_SAMPLERS.register("ai2thor", "envs.thor.tasks:sampler")


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    make_env: Callable[[], Env]
    sample: TaskSampler

    @classmethod
    def from_registry(cls, name: str, options: Mapping[str, Any] | None = None) -> Suite:
        """``envs.make(name, **options)`` per episode (thread-safe: one instance per episode)."""
        kwargs = dict(options or {})
        envs.make(name, **kwargs).close()  # fail now, with the registry's message, if the name is unknown
        sampler_name = name if name in TASK_SAMPLERS else "household"
        world_options = {k: v for k, v in kwargs.items() if k not in SAMPLER_ONLY_OPTIONS}
        sample = TASK_SAMPLERS.create(sampler_name, **world_options)
        return cls(name=name, make_env=lambda: envs.make(name, **kwargs), sample=sample)
