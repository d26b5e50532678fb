"""``ThorEnv``: the household text environment with real AI2-THOR underneath (registered as ``"ai2thor"``).

Same text layer, task families, goal conditions, ``info`` and expert as ``HouseholdEnv``; the world backend is
``ThorWorld``. Differences: a task must come from ``envs.thor.tasks.sample_tasks`` (it carries the
``InitialRandomSpawn`` seed in ``params["spawn_seed"]``); when a command's THOR action fails, ``info["error"]``
holds THOR's ``errorMessage``; ``info["teleport_fallbacks"]`` counts ``go to`` poses the live scene rejected.
The expert plans on a household twin of the live arrangement, which is exact with the fake player of the tests and
an approximation on a real build (not measured).
"""

from __future__ import annotations

from typing import Any

from envs.core import Observation
from envs.household.env import HouseholdEnv, TaskFormatError
from envs.thor.options import ThorOptions
from envs.thor.startup import preflight
from envs.thor.world import ThorWorld
from msi_agent.records import Task

SPAWN_SEED = "spawn_seed"


class ThorEnv(HouseholdEnv):
    """``envs.make("ai2thor", **options)``: options are ``ThorOptions`` fields (validated now, player started at
    the first reset), plus ``max_steps``. ``$AI2THOR_LOCAL_EXECUTABLE`` supplies the build when none is given."""

    def __init__(self, *, max_steps: int | None = None, world: ThorWorld | None = None, **options: Any) -> None:
        if world is None:
            thor_options = ThorOptions.from_kwargs(**options)
            preflight(thor_options)
            world = ThorWorld(thor_options)
        elif options:
            raise ValueError(f"pass either world= or options, not both (got {sorted(options)})")
        self.world = world
        super().__init__(world, max_steps=max_steps)

    def reset(self, task: Task) -> Observation:
        seed = task.params.get(SPAWN_SEED)
        if not isinstance(seed, int):
            raise TaskFormatError(
                f"task {task.id} has no params[{SPAWN_SEED!r}]: it was sampled for the household simulator; "
                "sample AI2-THOR tasks with envs.thor.tasks.sample_tasks (they come from the live scene)"
            )
        self.world.spawn_seed = seed
        self.world.fallbacks = []
        observation = super().reset(task)
        observation.info["teleport_fallbacks"] = len(self.world.fallbacks)
        return observation

    def step(self, command: str) -> Observation:
        sent = self.world.actions_sent
        observation = super().step(command)
        info, meta = observation.info, self.world.metadata
        if "error" in info and self.world.actions_sent > sent and not meta["lastActionSuccess"]:
            info["error"] = f"THOR {meta['lastAction']} failed: {meta['errorMessage']}"
        info["teleport_fallbacks"] = len(self.world.fallbacks)
        return observation
