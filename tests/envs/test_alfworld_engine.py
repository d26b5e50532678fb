"""The real ALFWorld engine behind the Env protocol: generated games, data-folder games, errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textworld", reason="install the alfworld extra: pip install -e '.[alfworld]'")
pytest.importorskip("alfworld", reason="install the alfworld extra: pip install -e '.[alfworld]'")

from envs.alfworld.dataset import DataFolderError, load_tasks
from envs.alfworld.engine import AlfworldEnv, NoEpisodeError, NoGameError
from envs.alfworld.generate import write_game
from envs.alfworld.tasks import AlfredTaskType, GameGoal
from envs.backend import ObjectInit, WorldInit
from envs.checker import check_env
from envs.core import NOTHING_HAPPENS, Env
from msi_agent.records import Split, Task

pytestmark = pytest.mark.alfworld
FRIDGE = "Fridge|-02.10|+00.00|+01.09"
COUNTER = "CounterTop|+00.69|+00.95|-02.48"
INIT = WorldInit(scene="FloorPlan1", agent=(-0.25, -1.75, 0, 0), objects=[
    ObjectInit(object_id="Apple|-00.47|+01.15|+00.48", object_type="Apple", parent=FRIDGE),
    ObjectInit(object_id="Mug|+00.10|+00.90|-02.40", object_type="Mug", parent=COUNTER),
])  # fmt: skip
GOAL = GameGoal(task_type=AlfredTaskType.HEAT_AND_PLACE, object_target="Apple", parent_target="CounterTop")


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_game(INIT, GOAL, "put a hot apple in countertop.", tmp_path_factory.mktemp("game"))


@pytest.fixture(scope="module")
def env() -> Iterator[AlfworldEnv]:
    with AlfworldEnv() as e:
        yield e


def task_for(path: Path) -> Task:
    return Task(id="t1", family=GOAL.task_type.value, environment="Kitchen", scene="FloorPlan1",
                instruction="put a hot apple in countertop", params={"gamefile": str(path)})  # fmt: skip


def test_scripted_episode_end_to_end(env: AlfworldEnv, game: Path) -> None:
    assert isinstance(env, Env)
    obs = env.reset(task_for(game))
    assert obs.text.startswith("-= Welcome to TextWorld, ALFRED! =-\n\nYou are in the middle of a room.")
    assert "Your task is to: put a hot apple in countertop." in obs.text
    assert "go to fridge 1" in obs.admissible and obs.admissible == sorted(obs.admissible)
    assert obs.info == {"won": False, "gc_satisfied": 0, "gc_total": 3, "steps": 0, "max_steps": 50,
                        "gamefile": str(game.resolve())}  # fmt: skip
    script = ["go to fridge 1", "open fridge 1", "take apple 1 from fridge 1", "go to microwave 1",
              "heat apple 1 with microwave 1", "go to countertop 1", "move apple 1 to countertop 1"]  # fmt: skip
    feedback = []
    for command in script:
        assert command in obs.admissible, (command, obs.admissible)
        obs = env.step(command)
        reward, done, info = obs.reward, obs.ended, obs.info
        feedback.append(obs.text)
    assert feedback[1] == "You open the fridge 1. The fridge 1 is open. In it, you see a apple 1."
    assert feedback[4] == "You heat the apple 1 using the microwave 1."
    assert (reward, done, info["won"], info["gc_satisfied"], info["gc_total"]) == (1.0, True, True, 3, 3)
    with pytest.raises(NoEpisodeError, match="over"):
        env.step("look")


def test_step_budget_ends_the_episode(game: Path) -> None:
    with AlfworldEnv(max_steps=2) as e:
        e.reset(task_for(game))
        assert e.step("look").ended is False
        stepped = e.step("inventory")
        reward, done, info = stepped.reward, stepped.ended, stepped.info
        assert (reward, done, info["steps"], info["won"]) == (0.0, True, 2, False)
        with pytest.raises(NoEpisodeError):
            e.step("look")


def test_passes_the_env_checker_with_a_twin(game: Path) -> None:
    check_env(AlfworldEnv(), [task_for(game)], twin=AlfworldEnv(), steps=12)


def test_made_by_name(game: Path) -> None:
    import envs

    with envs.make("alfworld", planner_timeout=60) as e:
        assert isinstance(e, AlfworldEnv)
        assert e.reset(task_for(game)).info["gc_total"] == 3


def test_bad_command_changes_nothing(env: AlfworldEnv, game: Path) -> None:
    obs = env.reset(task_for(game))
    after = env.step("take apple 1 from fridge 1")
    reward, done, info = after.reward, after.ended, after.info
    assert after.text == NOTHING_HAPPENS and "not admissible" in info["error"]
    assert (reward, done) == (0.0, False) and after.admissible == obs.admissible


def test_planner_plan_wins_and_reset_is_repeatable(env: AlfworldEnv, game: Path) -> None:
    first = env.reset(task_for(game))
    plan = env.expert_plan()
    assert plan[0] == "go to fridge 1"
    for command in plan:
        stepped = env.step(command)
        done = stepped.ended
    assert done
    again = env.reset(task_for(game))
    assert (again.text, again.admissible, again.info) == (first.text, first.admissible, first.info)


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    with AlfworldEnv(data_dir=tmp_path) as e:
        with pytest.raises(NoEpisodeError):
            e.step("look")
        with pytest.raises(NoGameError, match="does not exist"):
            e.reset(task_for(Path("json_2.1.1/nothing/game.tw-pddl")))
        bare = Task(id="b", family="x", environment="Kitchen", scene="FloorPlan1", instruction="")
        with pytest.raises(NoGameError, match="neither"):
            e.reset(bare)
        lonely = tmp_path / "lonely" / "game.tw-pddl"
        lonely.parent.mkdir()
        lonely.write_text("{}")
        with pytest.raises(NoGameError, match=r"traj_data\.json is missing"):
            e.reset(task_for(lonely))


def test_data_folder_tasks(tmp_path: Path, game: Path) -> None:
    with pytest.raises(DataFolderError, match="ALFWORLD_DATA"):
        load_tasks(tmp_path, Split.VALID_SEEN)
    trial = tmp_path / "json_2.1.1" / "valid_seen" / "pick_heat_then_place_in_recep-Apple-None-CounterTop-1" / "trial_1"
    shutil.copytree(game.parent, trial)
    shutil.copytree(game.parent, trial.parent.parent / "pick_heat_then_place_in_recep-AppleSliced-None-X-1" / "t")
    (tasks,) = [load_tasks(tmp_path, Split.VALID_SEEN)]
    assert len(tasks) == 1  # sliced tasks are skipped, as ALFWorld does
    task = tasks[0]
    assert (task.family, task.scene, task.environment) == (GOAL.task_type.value, "FloorPlan1", "Kitchen")
    assert task.instruction == "put a hot apple in countertop"
    with AlfworldEnv(data_dir=tmp_path) as e:
        assert not e.reset(task).info["won"]
