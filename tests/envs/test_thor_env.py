"""The ``ai2thor`` environment end to end over the FIFO path: text layer → ThorWorld → real Controller → pipes →
fake player (household world). Wiring tests: they show the stack is faithful to itself, not to Unity physics.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from thor_fake_player import player_command, process_gone, read_log, sent_actions

import envs
from envs.backend import THOR_AGENT_KEYS, THOR_METADATA_KEYS, THOR_OBJECT_KEYS
from envs.household.env import TaskFormatError
from envs.household.families import family_names
from envs.household.scenes import scene
from envs.household.text import TextLayer
from envs.tasks import TaskSpec
from envs.tasks import sample_tasks as household_tasks
from envs.thor.env import ThorEnv
from envs.thor.live import live_init
from envs.thor.options import ThorOptions
from envs.thor.tasks import sample_tasks, sampler
from envs.thor.world import ArrangementMismatchError, ThorWorld
from msi_agent.records import Split, Task


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("thor-env")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(path))
        yield path / "actions.jsonl"


@pytest.fixture(scope="module")
def env(log: Path) -> Iterator[ThorEnv]:
    with ThorEnv(local_executable_path=player_command(log=log), headless=True) as e:
        yield e
        pid = e.world.controller.process.pid  # type: ignore[union-attr]
        pipes = Path(e.world.controller._controller.server.tmp_dir.name)
    assert process_gone(pid) and not pipes.exists(), "the module's player or its pipes outlived close()"


@pytest.fixture(scope="module")
def tasks(env: ThorEnv) -> list[Task]:
    return sample_tasks(TaskSpec(n=len(family_names()), seed=3, split=Split.VALID_SEEN), env.world)


def play_expert(env: ThorEnv, task: Task) -> dict[str, object]:
    env.reset(task)
    info: dict[str, object] = {}
    for command in env.expert_plan():
        stepped = env.step(command)
        done, info = stepped.ended, stepped.info
        if done:
            break
    return info


def test_expert_wins_a_task_of_every_family(env: ThorEnv, tasks: list[Task]) -> None:
    assert sorted({t.family for t in tasks}) == sorted(family_names())
    lost = [(t.family, t.scene) for t in tasks if not play_expert(env, t)["won"]]
    assert lost == []


def test_teach_properties_come_from_thor_metadata(env: ThorEnv, tasks: list[Task]) -> None:
    """TEACh's derived properties are kept over the AI2-THOR backend too: the coffee mug, after the expert."""
    coffee = next(t for t in tasks if t.family == "coffee")
    info = play_expert(env, coffee)
    mugs = [o for o in env.world.metadata["objects"] if o["objectType"] == "Mug"]
    assert info["won"] and any(m.get("simbotIsFilledWithCoffee") is True for m in mugs)
    assert all(m["simbotObjectClass"] == ["Mug", "Drinkware", "Tableware"] for m in mugs)


def test_sampling_is_seeded_and_records_the_spawn(env: ThorEnv, tasks: list[Task]) -> None:
    again = sample_tasks(TaskSpec(n=3, seed=3, split=Split.VALID_SEEN), env.world)
    assert [t.model_dump(exclude={"created"}) for t in again] == [t.model_dump(exclude={"created"}) for t in tasks[:3]]
    assert all(isinstance(t.params["spawn_seed"], int) for t in tasks)
    other = sample_tasks(TaskSpec(n=3, seed=4, split=Split.VALID_SEEN), env.world)
    assert [t.id for t in other] != [t.id for t in tasks[:3]]


def test_episode_sends_spawn_then_teleport(env: ThorEnv, tasks: list[Task], log: Path) -> None:
    task = tasks[0]
    before = len(sent_actions(log))
    env.reset(task)
    names = [a["action"] for a in sent_actions(log)[before:]]
    assert names[:3] == ["Reset", "Initialize", "InitialRandomSpawn"]
    assert names[-1] == "TeleportFull"
    spawn = sent_actions(log)[before + 2]
    assert spawn["randomSeed"] == task.params["spawn_seed"] and spawn["placeStationary"] is True


def test_commands_become_exact_thor_actions(env: ThorEnv, tasks: list[Task], log: Path) -> None:
    task = next(t for t in tasks if t.family == "pick_heat_then_place_in_recep")
    env.reset(task)
    plan = env.expert_plan()
    heat = next(i for i, c in enumerate(plan) if c.startswith("heat "))
    for command in plan[:heat]:
        env.step(command)
    microwave = env.text.location
    held = env.text.held
    before = len(sent_actions(log))
    env.step(plan[heat])
    sent = [{k: v for k, v in a.items() if k not in ("sequenceId", "renderImage")} for a in sent_actions(log)[before:]]
    expected = [
        ("PutObject", microwave),
        ("CloseObject", microwave),
        ("ToggleObjectOn", microwave),
        ("ToggleObjectOff", microwave),
        ("OpenObject", microwave),
        ("PickupObject", held),
    ]
    if not env.world.metadata["objects"] or sent[0]["action"] == "OpenObject":
        expected = [("OpenObject", microwave), *expected, ("CloseObject", microwave)]
    assert [(a["action"], a["objectId"]) for a in sent] == expected


def test_household_tasks_are_refused_with_the_way_out(env: ThorEnv) -> None:
    task = household_tasks(TaskSpec(n=1, seed=0))[0]
    with pytest.raises(TaskFormatError, match=r"sampled for the household simulator.*envs\.thor\.tasks\.sample_tasks"):
        env.reset(task)


def test_task_from_another_spawn_is_refused(env: ThorEnv, tasks: list[Task]) -> None:
    task = next(t for t in tasks if t.family == "pick_and_place_simple")
    other = task.model_copy(update={"params": {**task.params, "spawn_seed": task.params["spawn_seed"] + 1}})
    with pytest.raises(ArrangementMismatchError, match=r"not sampled from InitialRandomSpawn\(randomSeed="):
        env.reset(other)


def test_metadata_through_the_client_has_every_upstream_key(env: ThorEnv, tasks: list[Task]) -> None:
    env.reset(tasks[0])
    meta = env.world.metadata
    assert set(THOR_METADATA_KEYS) <= set(meta), set(THOR_METADATA_KEYS) - set(meta)
    assert set(THOR_AGENT_KEYS) <= set(meta["agent"])
    for obj in meta["objects"]:
        assert set(THOR_OBJECT_KEYS) <= set(obj), (obj["objectId"], set(THOR_OBJECT_KEYS) - set(obj))


def test_make_validates_options_now_and_starts_the_player_later(log: Path) -> None:
    with pytest.raises(ValueError, match="gird_size"):
        envs.make("ai2thor", gird_size=0.25)
    env = envs.make("ai2thor", local_executable_path=player_command(), headless=True)
    assert isinstance(env, ThorEnv) and env.world._controller is None
    env.close()


@pytest.fixture()
def blocked_world(log: Path) -> Iterator[tuple[ThorWorld, Path]]:
    """A player where teleports within 1 cm of FloorPlan1's first receptacle pose fail."""
    pose = scene("FloorPlan1").receptacles[0].pose
    own_log = log.with_name("blocked.jsonl")
    command = player_command("--block", f"{pose[0]},{pose[1]},0.01", log=own_log)
    world = ThorWorld(ThorOptions(local_executable_path=command, headless=True))
    yield world, own_log
    world.close()


def test_go_to_a_rejected_pose_falls_back_to_an_interactable_pose(blocked_world: tuple[ThorWorld, Path]) -> None:
    world, log = blocked_world
    sc = scene("FloorPlan1")
    world.spawn_seed = 5
    init = live_init(sc, world.spawn(sc.name, 5), agent=sc.start)
    text = TextLayer(world)
    text.reset(init)
    command = f"go to {text.name(sc.receptacles[0].object_id)}"
    before = len(sent_actions(log))
    result = text.step(command)
    sent = sent_actions(log)[before:]
    assert [a["action"] for a in sent] == ["TeleportFull", "GetInteractablePoses", "TeleportFull", "TeleportFull"]
    assert sent[1]["objectId"] == sc.receptacles[0].object_id
    assert sent[3]["x"] == pytest.approx(sc.receptacles[0].pose[0] + 0.25)  # the second interactable pose
    assert result.ok and result.feedback.startswith("You arrive at")
    assert len(world.fallbacks) == 1


def test_go_to_with_no_usable_pose_says_nothing_happens_and_records_thor_error(log: Path) -> None:
    everywhere = player_command("--block", "0,0,1000", log=log.with_name("walls.jsonl"))
    world = ThorWorld(ThorOptions(local_executable_path=everywhere, headless=True))
    with ThorEnv(world=world) as env:
        task = sample_tasks(TaskSpec(n=1, seed=1, families=["pick_and_place_simple"]), world)[0]
        obs = env.reset(task)
        goto = next(c for c in obs.admissible if c.startswith("go to "))
        obs = env.step(goto)
        info = obs.info
    assert obs.text == envs.NOTHING_HAPPENS
    assert str(info["error"]).startswith("THOR TeleportFull failed: Agent cannot be placed at")


def test_pipeline_sampler_starts_and_stops_its_own_player(log: Path) -> None:
    own_log = log.with_name("sampler.jsonl")
    sample = sampler(local_executable_path=player_command(log=own_log), headless=True)
    tasks = sample(Split.TRAIN, 2, seed=0, families=["toast"])
    assert [t.family for t in tasks] == ["toast", "toast"] and all("spawn_seed" in t.params for t in tasks)
    assert process_gone(read_log(own_log)[0]["pid"])
    assert sample(Split.TRAIN, 0, seed=0, families=[]) == []


def test_check_env_passes_across_two_players(log: Path, tasks: list[Task]) -> None:
    from envs.checker import check_env

    make = lambda: ThorEnv(local_executable_path=player_command(), headless=True)  # noqa: E731
    twin = make()
    try:
        check_env(make(), tasks[:4], twin=twin, steps=15)
    finally:
        twin.close()
