"""Against a real AI2-THOR build: runs only when ``AI2THOR_LOCAL_EXECUTABLE`` points at one (marker ``thor``).

Set ``AI2THOR_X_DISPLAY`` (e.g. ``:0``) for a Linux64 build without ``$DISPLAY``, or ``AI2THOR_PLATFORM=
CloudRendering`` on a headless GPU server. It checks that a real player starts, speaks the metadata the text layer
and goals read, and that live task sampling and one expert episode run end to end; it asserts no success rate.
"""

from __future__ import annotations

import os

import pytest

from envs.backend import THOR_METADATA_KEYS, THOR_OBJECT_KEYS
from envs.tasks import TaskSpec
from envs.thor.env import ThorEnv
from envs.thor.options import LOCAL_EXECUTABLE_ENV
from envs.thor.tasks import sample_tasks

pytestmark = [
    pytest.mark.thor,
    pytest.mark.skipif(
        not os.environ.get(LOCAL_EXECUTABLE_ENV),
        reason=f"no real AI2-THOR build: set {LOCAL_EXECUTABLE_ENV} to a build's executable to run this test",
    ),
]


def test_real_build_plays_a_live_task() -> None:
    options: dict[str, object] = {}
    if os.environ.get("AI2THOR_X_DISPLAY"):
        options["x_display"] = os.environ["AI2THOR_X_DISPLAY"]
    if os.environ.get("AI2THOR_PLATFORM"):
        options["platform"] = os.environ["AI2THOR_PLATFORM"]
    with ThorEnv(**options) as env:  # type: ignore[arg-type]
        task = sample_tasks(TaskSpec(n=1, seed=0, families=["pick_and_place_simple"]), env.world)[0]
        obs = env.reset(task)
        meta = env.world.metadata
        assert set(THOR_METADATA_KEYS) - {"thirdPartyCameras"} <= set(meta)
        assert all(set(THOR_OBJECT_KEYS) <= set(o) for o in meta["objects"])
        assert obs.admissible and "Your task is to:" in obs.text
        plan = env.expert_plan()
        for command in plan:
            stepped = env.step(command)
            done, info = stepped.ended, stepped.info
            assert "gc_total" in info
            if done:
                break
