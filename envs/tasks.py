"""Task sets: seeded, machine-independent sampling of household tasks, addressable by a short spec.

``sample_tasks(TaskSpec(families=["toast"], split=Split.VALID_SEEN, n=20, seed=1))`` returns the same 20 tasks on
every machine: each task's randomness comes from blake2b(seed, split, index), never from Python's ``hash``.
Task ``i`` does not depend on ``n`` (a longer list extends a shorter one). Families are dealt round-robin, scenes
drawn among the split's floor plans of the family's room types (with no families given, all families that can
occur in the chosen rooms are used; train and valid_seen share the 96 training
floor plans with disjoint random streams; valid_unseen uses the 24 test floor plans).

A ``Task`` carries in ``params``: ``init`` (the full ``WorldInit``), ``goal`` (the family's parameters) and
``max_steps`` — enough to rebuild the initial world exactly — and, for TEACh families, ``dialogue``: a
Commander–Driver dialogue drawn after the instruction from the same stream (``envs.household.dialogue``).
The CLI's short form (``msi-agent tasks sample "families=toast;n=5"``) is read by ``msi_agent.pipeline.task_query``
and reaches ``sample_tasks`` through the household ``EnvSpec``'s ``sampler``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator

from envs.household import scenes
from envs.household.families import family, family_names
from envs.household.placement import arrange
from envs.household.scenes import RoomType
from msi_agent.records import Split, Task

__all__ = ["TaskSpec", "TaskSpecError", "family_names", "sample_tasks", "sampler"]

MAX_DRAWS = 200


class TaskSpecError(ValueError):
    """A task spec that cannot be read or satisfied; the message says what to change."""


class TaskSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    families: list[str] | None = Field(default=None, description="family names; None = all")
    split: Split = Split.TRAIN
    n: int = Field(default=10, ge=0, le=1_000_000)
    seed: int = 0
    environments: list[RoomType] | None = Field(default=None, description="room types; None = all")

    @field_validator("families")
    @classmethod
    def _known(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("families is empty; leave it out to use all families")
        unknown = [f for f in v if f not in family_names()]
        if unknown:
            raise ValueError(f"unknown families {unknown}; known: {', '.join(family_names())}")
        return v


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def sample_tasks(spec: TaskSpec) -> list[Task]:
    rooms = set(spec.environments or RoomType)
    names = spec.families or [f for f in family_names() if family(f).environments & rooms]
    pools: dict[str, list[str]] = {}
    for name in names:
        allowed = family(name).environments & rooms
        pools[name] = [s for s in scenes.scene_names(split=spec.split) if scenes.scene(s).category in allowed]
    empty = [n for n, p in pools.items() if not p]
    if empty or not names:
        raise TaskSpecError(
            f"families {empty} cannot occur in rooms {sorted(r.value for r in rooms)}; "
            "widen environments or drop those families"
        )
    return [_one(spec, names[i % len(names)], pools[names[i % len(names)]], i) for i in range(spec.n)]


def _one(spec: TaskSpec, name: str, pool: list[str], index: int) -> Task:
    fam = family(name)
    rng = _rng(spec.seed, spec.split.value, name, index)
    for _ in range(MAX_DRAWS):
        sc = scenes.scene(rng.choice(pool))
        draw = fam.draw(rng, sc)
        if draw is None:
            continue
        init = arrange(rng, sc, draw.needs)
        if init is None:
            continue
        instruction = fam.instruction(draw.goal, rng)
        params = {"init": init.model_dump(mode="json"), "goal": draw.goal, "max_steps": fam.max_steps}
        if fam.source == "teach":
            params["dialogue"] = fam.dialogue(draw, init, instruction, rng)
        task_id = hashlib.blake2b(f"{spec.seed}|{spec.split.value}|{name}|{index}".encode(), digest_size=6).hexdigest()
        return Task(
            id=f"{name}-{sc.name}-{task_id}",
            family=name,
            environment=sc.category,
            scene=sc.name,
            instruction=instruction,
            split=spec.split,
            seed=spec.seed,
            params=params,
        )
    raise TaskSpecError(f"could not place family {name!r} in any of {len(pool)} scenes after {MAX_DRAWS} draws")


def sampler(categories: Sequence[str] | None = None, **options: object) -> Callable[..., list[Task]]:
    """The household ``EnvSpec``'s task sampler (``envs.spec.TaskSampler``) over the room types ``categories``
    (default: all); the world needs no other options."""
    rooms = [RoomType(c) for c in categories] if categories else None

    def sample(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        if count <= 0:
            return []
        spec = TaskSpec(split=split, n=count, seed=seed, families=list(families) or None, environments=rooms)
        return sample_tasks(spec)

    return sample
