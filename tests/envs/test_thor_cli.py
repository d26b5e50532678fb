"""`msi-agent ai2thor check` (the ai2thor spec's commands) over the fake AI2-THOR player (see
tests/envs/thor_fake_player): a wiring check."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli.main import app

runner = CliRunner()
PLAYER = Path(__file__).resolve().parent / "thor_fake_player" / "player.py"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AI2THOR_LOCAL_EXECUTABLE", raising=False)


def test_check_starts_the_player_and_the_expert_wins() -> None:
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(PLAYER))}"
    result = runner.invoke(app, ["ai2thor", "check", "--executable", command, "--headless", "--tasks", "2"])
    assert result.exit_code == 0, result.output
    assert "FloorPlan1:" in result.output and "won 2/2 live tasks" in result.output


def test_check_reads_env_options_and_reports_a_missing_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSI_ENV__OPTIONS__LOCAL_EXECUTABLE_PATH", "/nowhere/thor-Linux64")
    result = runner.invoke(app, ["ai2thor", "check"])
    assert result.exit_code == 2
    assert "'/nowhere/thor-Linux64'" in result.output and "does not exist" in result.output


def test_check_rejects_an_unknown_platform() -> None:
    result = runner.invoke(app, ["ai2thor", "check", "--platform", "Windows"])
    assert result.exit_code == 2 and "platform" in result.output and "CloudRendering" in result.output
