"""What the pipeline needs from an environment: fresh instances and seeded task lists.

The registry suite uses ``envs.make(name)`` and ``envs.tasks.sample_tasks``; any other environment plugs in by
building a ``Suite`` from two callables (see ``examples/custom_env.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from envs.core import Env
from msi_agent.records import Split, Task


class TaskSampler(Protocol):
    def __call__(self, split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        """``count`` tasks of ``split`` (the same seed gives the same tasks); ``families`` empty means all."""
        ...


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    make_env: Callable[[], Env]
    sample: TaskSampler

    @classmethod
    def from_registry(cls, name: str, options: Mapping[str, Any] | None = None) -> Suite:
        """``envs.make(name, **options)`` per episode (thread-safe: one instance per episode)."""
        import envs
        from envs.tasks import TaskSpec, sample_tasks

        def sample(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
            if count <= 0:
                return []
            spec = TaskSpec(split=split, n=count, seed=seed, families=list(families) or None)
            return list(sample_tasks(spec))

        kwargs = dict(options or {})
        envs.make(name, **kwargs).close()  # fail now, with the registry's message, if the name is unknown
        return cls(name=name, make_env=lambda: envs.make(name, **kwargs), sample=sample)
