"""``reuse_player``: environments made one per episode share one running player, and nothing outlives close_all."""

from __future__ import annotations

from pathlib import Path

import pytest
from thor_fake_player import player_command, process_gone, read_log

import envs
from envs.tasks import TaskSpec
from envs.thor.pool import POOL
from envs.thor.tasks import sample_tasks


def test_episodes_reuse_one_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    log = tmp_path / "player.jsonl"
    options = {"local_executable_path": player_command(log=log), "headless": True, "reuse_player": True}
    try:
        first = envs.make("ai2thor", **options)
        tasks = sample_tasks(TaskSpec(n=2, seed=0, families=["pick_and_place_simple"]), first.world)  # type: ignore[attr-defined]
        first.reset(tasks[0])
        first.close()
        assert POOL.idle() == 1
        second = envs.make("ai2thor", **options)
        second.reset(tasks[1])
        assert POOL.idle() == 0
        second.close()
        starts = [e for e in read_log(log) if e["event"] == "start"]
        assert len(starts) == 1  # one player process served both episodes
    finally:
        POOL.close_all()
    assert POOL.idle() == 0 and process_gone(starts[0]["pid"])


def test_a_dead_idle_player_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    log = tmp_path / "player.jsonl"
    options = {"local_executable_path": player_command(log=log), "headless": True, "reuse_player": True}
    try:
        env = envs.make("ai2thor", **options)
        controller = env.world.controller  # type: ignore[attr-defined]
        env.close()
        controller.process.kill()
        controller.process.wait()
        again = envs.make("ai2thor", **options)
        assert again.world.controller is not controller  # type: ignore[attr-defined]
        again.close()
        assert len([e for e in read_log(log) if e["event"] == "start"]) == 2
    finally:
        POOL.close_all()
