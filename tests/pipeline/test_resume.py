"""A run killed mid-way (SIGKILL) resumes without duplicating or losing episodes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from msi_agent.experience.pool import ExperiencePool

HERE = Path(__file__).parent


def _cli(workspace: Path, *args: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "msi-agent"),
        "--workspace",
        str(workspace),
        "--store",
        "memory",
        "--llm",
        "household_player:make_model",
        *args,
    ]


def _env(delay: float) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "HOUSEHOLD_PLAYER_DELAY": str(delay),
        "MSI_STORE__EMBEDDER": "hash",
        "MSI_LLM__CACHE": "false",
    }


@pytest.mark.slow
def test_killed_collect_resumes_without_duplicates(tmp_path: Path) -> None:
    args = [
        "collect",
        "--name",
        "k",
        "--train-tasks",
        "6",
        "--max-steps",
        "6",
        "-f",
        "pick_and_place_simple",
        "-f",
        "look_at_obj_in_light",
    ]
    episodes = tmp_path / "runs" / "k" / "episodes" / "collect"
    proc = subprocess.Popen(_cli(tmp_path, *args), env=_env(0.05), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(episodes.glob("*.json"))) < 2:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "collect ended early"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    before = {p.name: p.read_bytes() for p in episodes.glob("*.json")}
    assert 2 <= len(before) < 6, "the kill must land mid-way"

    done = subprocess.run(_cli(tmp_path, *args), env=_env(0), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    after = {p.name: p.read_bytes() for p in episodes.glob("*.json")}
    assert len(after) == 6
    assert all(after[name] == data for name, data in before.items())  # finished episodes were not replayed
    with ExperiencePool.in_workspace(tmp_path) as pool:
        assert pool.count(run="k", source="agent") == 6 and pool.count(run="k", source="expert") == 6
        ids = [e.id for e in pool.query(run="k")]
        assert len(ids) == len(set(ids)) == 12
