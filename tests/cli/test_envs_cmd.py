"""`msi-agent envs list`."""

from __future__ import annotations

from typer.testing import CliRunner

from msi_agent.cli.main import app

runner = CliRunner()


def test_list_shows_every_registered_env() -> None:
    result = runner.invoke(app, ["envs", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name in ("household", "alfworld", "ai2thor"):
        assert name in result.output
    assert "envs.alfworld.engine:AlfworldEnv" in result.output
    assert "envs.thor.tasks:sampler" in result.output and "room type: Kitchen, LivingRoom" in result.output
    assert "msi-agent ai2thor --help" in result.output and "msi-agent alfworld --help" in result.output
