"""The same programs over AI2-THOR: text layer → ThorWorld → the real ``ai2thor`` Controller → FIFO → fake player.

Expert plans written as programs (on a household twin) must win every TEACh family when run through the real
Controller, and a primitive's failure reason reads the same over THOR.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from thor_fake_player import player_command, sent_actions

from envs.household.families import family, family_names
from envs.tasks import TaskSpec
from envs.thor.env import ThorEnv
from envs.thor.tasks import sample_tasks
from msi_agent.agent.program import Handle, ProgramAttempt, ProgramConfig
from msi_agent.llm import LLMClient, RetryPolicy, ScriptedChatModel
from msi_agent.records import Split, Task

TEACH = [f for f in family_names() if family(f).source == "teach"]


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("thor-programs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(path))
        yield path / "actions.jsonl"


@pytest.fixture(scope="module")
def env(log: Path) -> Iterator[ThorEnv]:
    with ThorEnv(local_executable_path=player_command(log=log), headless=True) as e:
        yield e


def _program(env: ThorEnv, task: Task) -> str:
    env.reset(task)
    return env.program_of(task, env.expert_plan())


@pytest.mark.parametrize("split", [Split.VALID_SEEN, Split.VALID_UNSEEN])
def test_expert_programs_win_every_teach_family_over_the_real_controller(env: ThorEnv, log: Path, split: Split) -> None:
    tasks = sample_tasks(TaskSpec(families=TEACH, n=len(TEACH), seed=2, split=split), env.world)
    lost = []
    for task in tasks:
        program = _program(env, task)
        llm = LLMClient(ScriptedChatModel(lambda m, p=program: p), retry=RetryPolicy(max_retries=0))
        before = len(sent_actions(log))
        attempt = ProgramAttempt(llm, env, task, ProgramConfig(max_programs=1))
        steps = list(attempt)
        if not attempt.episode().success:
            lost.append((task.family, task.scene, [s.error for s in steps if s.error]))
        sent = {a["action"] for a in sent_actions(log)[before:]}
        assert "PickupObject" in sent or "ToggleObjectOn" in sent  # the primitives reached the player as THOR actions
    assert sorted({t.family for t in tasks}) == sorted(TEACH) and lost == []


def test_failure_reasons_over_thor(env: ThorEnv) -> None:
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=2, split=Split.VALID_SEEN), env.world)[0]
    env.reset(task)
    world = env.program_world()
    mug = Handle("Mug")
    assert world.call("pickup", mug, [], set()).ok
    assert world.call("pickup", Handle("SinkBasin"), [], set()).feedback == (
        "hands are full: you hold the Mug; put_down() or place() it first"
    )
    assert world.check(mug, "held", set()) is True
