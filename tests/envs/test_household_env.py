"""HouseholdEnv: the Env contract, TEACh goal-condition accounting, episode limits, the expert mid-episode."""

from __future__ import annotations

import pytest

import envs
from envs.core import NOTHING_HAPPENS, Env
from envs.household.env import HouseholdEnv, TaskFormatError
from envs.household.goals import Progress, progress
from envs.household.scenes import scene
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.records import Task


def one(family: str, seed: int = 0) -> Task:
    return sample_tasks(TaskSpec(families=[family], n=1, seed=seed))[0]


def test_reset_reads_like_alfworld() -> None:
    with envs.make("household") as env:
        assert isinstance(env, Env)
        task = one("pick_clean_then_place_in_recep")
        obs = env.reset(task)
        assert obs.text.startswith("-= Welcome to TextWorld, ALFRED! =-\n\nYou are in the middle of a room.")
        assert obs.text.endswith(f"Your task is to: {task.instruction}")
        assert obs.info == {
            "won": False, "gc_satisfied": 0, "gc_total": 2, "steps": 0, "max_steps": 50,
            "unmet": ["a pan is clean", "a clean pan is in/on a stoveburner"],
        }  # fmt: skip
        assert all(c.startswith("go to ") for c in obs.admissible[:-2])


def test_expert_wins_and_progress_counts_up() -> None:
    env = HouseholdEnv()
    task = one("sandwich", seed=4)
    env.reset(task)
    plan = env.expert_plan()
    seen = []
    for command in plan:
        obs = env.step(command)
        reward, done, info = obs.reward, obs.ended, obs.info
        assert obs.text != NOTHING_HAPPENS
        seen.append(info["gc_satisfied"])
    assert done and reward == 1.0 and info["won"] and info["gc_satisfied"] == info["gc_total"] == 8
    assert obs.terminated and not obs.truncated
    assert seen == sorted(seen)
    assert all(ok for _, ok in env.conditions)
    with pytest.raises(RuntimeError, match="over"):
        env.step("look")


def test_expert_replans_from_the_middle_of_an_episode() -> None:
    env = HouseholdEnv()
    env.reset(one("plate_of_toast", seed=2))
    env.step("go to fridge 1")
    env.step("nonsense")
    plan = env.expert_plan()
    for command in plan:
        stepped = env.step(command)
        done, info = stepped.ended, stepped.info
    assert info["won"] and done


def test_nothing_happens_and_budget() -> None:
    env = HouseholdEnv(max_steps=3)
    env.reset(one("pick_and_place_simple"))
    obs = env.step("dance")
    reward, done, info = obs.reward, obs.ended, obs.info
    assert obs.text == NOTHING_HAPPENS and reward == 0.0 and not done and "error" in info
    env.step("look")
    stepped = env.step("inventory")
    assert stepped.truncated and not stepped.terminated  # out of steps is not an end state of the task
    assert not stepped.info["won"] and stepped.info["steps"] == 3


def test_progress_follows_teach() -> None:
    start = Progress(False, 1, 3)
    assert progress(start, Progress(False, 1, 3)) == (0, 2)
    assert progress(start, Progress(False, 2, 3)) == (1, 2)
    assert progress(start, Progress(False, 0, 3)) == (0, 2)  # a condition that held at reset was broken: never < 0
    assert progress(start, Progress(True, 3, 3)) == (2, 2)
    assert progress(start, Progress(True, 5, 4)) == (2, 2)  # TEACh caps an over-count at its total
    assert progress(start, Progress(False, 2, 5)) == (0, 2)  # the total may grow (an "all" over more objects)
    assert progress(Progress(True, 1, 1), Progress(True, 1, 1)) == (0, 0)


def test_broken_progress_is_subtracted() -> None:
    """A condition true at reset that the agent breaks counts against progress (TEACh: unsatisfied at the end)."""
    task = one("put_all_x_on_y", seed=5)
    init = task.params["init"]
    x, y = task.params["goal"]["obj"], task.params["goal"]["recep"]
    xs = [o for o in init["objects"] if o["object_type"] == x]
    target = next(r.object_id for r in scene(task.scene).receptacles if r.type == y)
    xs[0]["parent"] = target  # the first one already lies where it belongs
    env = HouseholdEnv()
    obs = env.reset(task)
    assert obs.info["gc_total"] == len(xs) - 1
    name, where = env.text.name(xs[0]["object_id"]), env.text.name(target)
    for command in (f"go to {where}", f"open {where}", f"take {name} from {where}"):
        if command in env.text.admissible:
            env.step(command)
    other = next(c for c in env.text.admissible if c.startswith("go to ") and c != f"go to {where}")
    info = env.step(other).info
    assert info["gc_satisfied"] == 0
    for command in env.expert_plan():
        info = env.step(command).info
    assert info["won"] and info["gc_satisfied"] == info["gc_total"]
    env.reset(task)
    for command in env.expert_plan():
        info = env.step(command).info
    assert info["won"]


def test_bad_tasks_are_explained() -> None:
    env = HouseholdEnv()
    task = one("toast")
    with pytest.raises(TaskFormatError, match="init"):
        env.reset(task.model_copy(update={"params": {}}))
    with pytest.raises(TaskFormatError, match="scene"):
        env.reset(task.model_copy(update={"scene": "FloorPlan2"}))
    with pytest.raises(TaskFormatError, match="WorldInit"):
        env.reset(task.model_copy(update={"params": {"init": {"scene": task.scene}}}))
    with pytest.raises(TaskFormatError, match="goal"):
        env.reset(one("put_all_x_on_y").model_copy(update={"params": {**one("put_all_x_on_y").params, "goal": {}}}))
    with pytest.raises(KeyError, match="unknown task family"):
        env.reset(task.model_copy(update={"family": "juggle"}))
    with pytest.raises(RuntimeError, match="reset"):
        HouseholdEnv().step("look")
    with pytest.raises(ValueError, match="max_steps"):
        HouseholdEnv(max_steps=0)
    env.close()
    env.close()
    with pytest.raises(RuntimeError, match="closed"):
        env.reset(task)
