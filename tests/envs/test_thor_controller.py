"""Wiring of ``ThorController`` through the real ``ai2thor`` Controller and FIFO server to the fake player.

These tests prove what crosses the pipe (start-up order, exact action dicts, sequence ids, upstream's error
contract) and that nothing is left behind; they do not measure AI2-THOR physics. One player per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from thor_fake_player import player_command, process_gone, read_log, sent_actions

from envs.thor.controller import ThorController
from envs.thor.options import ThorOptions


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(path))
        yield path


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("player") / "actions.jsonl"


@pytest.fixture(scope="module")
def thor(home: Path, log: Path) -> Iterator[ThorController]:
    options = ThorOptions(
        local_executable_path=player_command(log=log), headless=True, width=200, height=150,
        grid_size=0.5, visibility_distance=2.0, scene="FloorPlan2",
    )  # fmt: skip
    controller = ThorController(options)
    yield controller
    controller.close()


def test_start_up_order_and_exact_dicts(thor: ThorController, log: Path) -> None:
    start = read_log(log)[0]
    assert start["event"] == "start"
    assert start["argv"][-2:] == ["-batchmode", "-nographics"]  # headless launch flags
    assert sent_actions(log)[:4] == [
        {"action": "ChangeResolution", "x": 200, "y": 150, "renderImage": False, "sequenceId": 1},
        {"action": "GetScenesInBuild", "renderImage": False, "sequenceId": 2},
        {"action": "Reset", "sceneName": "FloorPlan2_physics", "sequenceId": 0},
        {"action": "Initialize", "gridSize": 0.5, "visibilityDistance": 2.0, "renderImage": False, "sequenceId": 1},
    ]
    meta = thor.metadata
    assert (meta["sceneName"], meta["lastAction"], meta["screenWidth"], meta["screenHeight"]) == (
        "FloorPlan2", "Initialize", 200, 150,
    )  # fmt: skip


def test_actions_cross_the_pipe_unchanged_with_rising_sequence_ids(thor: ThorController, log: Path) -> None:
    before = len(sent_actions(log))
    apple = next(o for o in thor.metadata["objects"] if o["pickupable"])
    thor.step({"action": "Pass"})
    meta = thor.step({"action": "PickupObject", "objectId": apple["objectId"]})
    assert meta["lastAction"] == "PickupObject"
    new = sent_actions(log)[before:]
    assert [a.pop("sequenceId") for a in new] == [2, 3]
    assert new == [
        {"action": "Pass", "renderImage": False},
        {"action": "PickupObject", "objectId": apple["objectId"], "renderImage": False},
    ]


def test_failed_action_reports_thor_error_without_raising(thor: ThorController) -> None:
    meta = thor.step({"action": "OpenObject", "objectId": "Nothing|+00.00|+00.00|+00.00"})
    assert meta["lastActionSuccess"] is False
    assert "Nothing|+00.00|+00.00|+00.00" in meta["errorMessage"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"action": "Fly"}, "'Fly' is not an action"),
        ({"action": "PickupObject"}, "PickupObject needs objectId"),
        ({"action": "TeleportFull", "x": "left", "z": 0}, "TeleportFull needs numeric x"),
        ({"objectId": "x"}, "needs an 'action' name"),
    ],
)
def test_invalid_actions_raise_value_error(thor: ThorController, action: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        thor.step(action)
    assert thor.step({"action": "Pass"})["lastActionSuccess"]  # the player is still in step


def test_reset_loads_the_scene_and_reinitializes(thor: ThorController, log: Path) -> None:
    before = len(sent_actions(log))
    meta = thor.reset("FloorPlan301")
    assert meta["sceneName"] == "FloorPlan301"
    names = [a["action"] for a in sent_actions(log)[before:]]
    assert names == ["Reset", "Initialize"]
    with pytest.raises(ValueError, match="not contained in build"):
        thor.reset("FloorPlan999")


def test_close_stops_the_player_and_removes_pipes(home: Path, tmp_path: Path) -> None:
    log = tmp_path / "one.jsonl"
    controller = ThorController(ThorOptions(local_executable_path=player_command(log=log), headless=True))
    pid = controller.process.pid  # type: ignore[union-attr]
    pipes = Path(controller._controller.server.tmp_dir.name)
    assert pipes.exists()
    controller.close()
    controller.close()  # twice is fine
    assert process_gone(pid) and not pipes.exists()
    with pytest.raises(RuntimeError, match="closed"):
        controller.step({"action": "Pass"})


def test_player_dying_mid_episode_is_an_error_and_leaves_nothing(home: Path, tmp_path: Path) -> None:
    log = tmp_path / "dies.jsonl"
    command = player_command("--fail", "exit-on-action", "--fail-action", "Pass", log=log)
    controller = ThorController(ThorOptions(local_executable_path=command, headless=True, server_timeout=5))
    pipes = Path(controller._controller.server.tmp_dir.name)
    with pytest.raises(RuntimeError, match="stopped answering during Pass"):
        controller.step({"action": "Pass"})
    assert not controller.running and process_gone(read_log(log)[0]["pid"]) and not pipes.exists()
