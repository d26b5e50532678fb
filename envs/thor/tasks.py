"""Task sampling on live AI2-THOR scenes, with the household simulator's families and goal conditions.

Task ``i`` of a spec (``envs.tasks.TaskSpec``) draws, from blake2b(seed, split, family, i): a floor plan of the
split and the family's rooms, an ``InitialRandomSpawn`` seed, and the family's goal (``Family.draw``). The
arrangement is then read back from the live metadata (``live_init``) and the draw is kept only if its goal is
not already met and the expert reaches it on a household twin of that arrangement; otherwise the next draw is
tried. The task records the spawn seed, so ``ThorEnv.reset`` replays the same arrangement.

Each draw reloads a scene (about a second on a real build, milliseconds with the tests' fake player).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

from envs.backend import WorldInit
from envs.household import scenes
from envs.household.expert import PlanError, solve
from envs.household.families import Family, Goal, family, family_names
from envs.household.scenes import RoomType
from envs.household.text import TextLayer
from envs.household.world import HouseholdWorld
from envs.tasks import TaskSpec, TaskSpecError
from envs.teach.properties import TeachWorld
from envs.thor.env import SPAWN_SEED
from envs.thor.live import live_init
from envs.thor.options import ThorOptions
from envs.thor.world import ThorWorld
from msi_agent.records import Split, Task

__all__ = ["MAX_DRAWS", "sample_tasks", "sampler", "solvable"]

MAX_DRAWS = 40


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def solvable(fam: Family, goal: Goal, init: WorldInit) -> bool:
    """Whether the goal is unmet at the start and the expert meets it on a household twin of ``init``."""
    check = fam.goal_check(goal, init)
    twin = TextLayer(TeachWorld(HouseholdWorld(), active=check.derived_properties))
    try:
        twin.reset(init)
    except ValueError:
        return False  # the live scene holds something the household world cannot represent
    if check(twin.metadata).success:
        return False
    try:
        solve(twin, init, lambda s: fam.solve(s, goal))
    except (PlanError, LookupError):
        return False  # recipes assume the objects their draw asked placement for; the live scene may lack them
    return check(twin.metadata).success


def sample_tasks(spec: TaskSpec, world: ThorWorld) -> list[Task]:
    """``spec.n`` tasks drawn from live scenes of ``world`` (same spec and build → same tasks)."""
    names = spec.families or family_names()
    rooms = set(spec.environments or RoomType)
    split_scenes = scenes.scene_names(split=spec.split)
    pools = {n: [s for s in split_scenes if scenes.scene(s).category in family(n).environments & rooms] for n in names}
    empty = [n for n, p in pools.items() if not p]
    if empty:
        raise TaskSpecError(f"families {empty} cannot occur in rooms {sorted(r.value for r in rooms)}")
    return [_one(spec, world, names[i % len(names)], pools[names[i % len(names)]], i) for i in range(spec.n)]


def _one(spec: TaskSpec, world: ThorWorld, name: str, pool: list[str], index: int) -> Task:
    fam = family(name)
    rng = _rng("thor", spec.seed, spec.split.value, name, index)
    for _ in range(MAX_DRAWS):
        sc = scenes.scene(rng.choice(pool))
        spawn_seed = rng.randrange(1 << 31)
        draw = fam.draw(rng, sc)
        if draw is None:
            continue
        init = live_init(sc, world.spawn(sc.name, spawn_seed), agent=sc.start)
        if not solvable(fam, draw.goal, init):
            continue
        task_id = hashlib.blake2b(f"thor|{spec.seed}|{spec.split.value}|{name}|{index}".encode(), digest_size=6)
        instruction = fam.instruction(draw.goal, rng)
        params = {
            "init": init.model_dump(mode="json"),
            "goal": draw.goal,
            "max_steps": fam.max_steps,
            SPAWN_SEED: spawn_seed,
        }
        if fam.source == "teach":
            params["dialogue"] = fam.dialogue(draw, init, instruction, rng)
        return Task(
            id=f"{name}-{sc.name}-{task_id.hexdigest()}", family=name, environment=sc.category, scene=sc.name,
            instruction=instruction, split=spec.split, seed=spec.seed, params=params,
        )  # fmt: skip
    raise TaskSpecError(
        f"no solvable {name!r} task in {MAX_DRAWS} live draws over {len(pool)} scenes of split {spec.split.value}; "
        "try another seed or family"
    )


def sampler(categories: Sequence[str] | None = None, **options: object) -> Callable[..., list[Task]]:
    """A task sampler for the pipeline (``envs.spec.TaskSampler``) over the room types ``categories`` (default:
    all): each call starts a player with ``options`` (``ThorOptions`` fields), samples live tasks and stops it."""
    thor_options = ThorOptions.from_kwargs(**options)
    rooms = [RoomType(c) for c in categories] if categories else None

    def sample(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        if count <= 0:
            return []
        spec = TaskSpec(split=split, n=count, seed=seed, families=list(families) or None, environments=rooms)
        with ThorWorld(thor_options) as world:
            return sample_tasks(spec, world)

    return sample
