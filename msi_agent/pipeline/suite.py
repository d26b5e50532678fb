"""What the pipeline needs from an environment: its spec, fresh instances and seeded, checked task lists.

``Suite.from_registry(name, options)`` takes the ``EnvSpec`` registered as ``name`` (``envs.registration``) and
builds its factory and its task sampler with ``options``. There is no fallback: an environment registered
without a sampler is an error naming what to register. ``Suite.from_spec(spec)`` does the same for a spec that
is not registered (a script's or a test's own environment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import envs
from envs.core import Env
from envs.spec import EnvSpec, TaskSampler
from msi_agent.records import Split, Task

EPISODE_OPTIONS = ("max_steps",)
"""Env options that concern the episode, not the world a sampler starts; not passed to sampler factories."""


@dataclass(frozen=True, slots=True)
class Suite:
    spec: EnvSpec
    make_env: Callable[[], Env]
    sampler: TaskSampler

    @property
    def name(self) -> str:
        return self.spec.name

    @classmethod
    def from_spec(cls, spec: EnvSpec, options: Mapping[str, Any] | None = None) -> Suite:
        """``spec(**options)`` per episode (thread-safe: one instance per episode). The option ``categories``
        only restricts sampling (``EnvSpec.check_categories``): the sampler gets it, the environments do not."""
        kwargs = dict(options or {})
        categories = kwargs.pop("categories", None)
        restrict = {} if categories is None else {"categories": spec.check_categories(categories)}
        sampler = spec.make_sampler(**{k: v for k, v in kwargs.items() if k not in EPISODE_OPTIONS}, **restrict)
        return cls(spec=spec, make_env=lambda: spec(**kwargs), sampler=sampler)

    @classmethod
    def from_registry(cls, name: str, options: Mapping[str, Any] | None = None) -> Suite:
        return cls.from_spec(envs.spec(name), options)

    def sample(self, split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        """The sampler's tasks, each checked against the spec's categories; unknown families are refused first."""
        self.spec.check_families(families)
        return [self.spec.check_task(t) for t in self.sampler(split, count, seed=seed, families=families)]
