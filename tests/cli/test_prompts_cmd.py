"""`msi-agent prompts list|show|copy`, `--prompts DIR`, and `--env` after the subcommand."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from msi_agent.cli.main import app

runner = CliRunner()


def _invoke(workspace: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--workspace", str(workspace), *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_list_show_and_copy_then_the_copy_is_used_first(tmp_path: Path) -> None:
    code, out = _invoke(tmp_path, "prompts", "list")
    assert code == 0, out
    assert "react_system" in out and "msi_agent/agent/prompts/react_system.txt" in out
    assert f"user folder (searched first): {tmp_path / 'prompts'}" in out
    code, out = _invoke(tmp_path, "prompts", "show", "react_system")
    assert code == 0 and "You are ${agent} acting in ${world}." in out
    code, out = _invoke(tmp_path, "prompts", "show", "nope")
    assert code == 2 and "no prompt template 'nope'" in out

    code, out = _invoke(tmp_path, "prompts", "copy", "react_system", "task")
    assert code == 0 and "copied 2 templates" in out
    assert (tmp_path / "prompts" / "task.txt").read_text().endswith("${observation}\n")
    code, out = _invoke(tmp_path, "prompts", "list")
    assert str(tmp_path / "prompts" / "react_system.txt") in out
    code, out = _invoke(tmp_path, "prompts", "copy", "react_system", "--to", str(tmp_path / "prompts"))
    assert code == 0  # copying a template onto itself is a no-op
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "task.txt").write_text("mine\n")
    code, out = _invoke(tmp_path, "prompts", "copy", "task", "--to", str(tmp_path / "other"))
    assert code == 2 and "already has ['task']; pass --force" in out
    assert (tmp_path / "other" / "task.txt").read_text() == "mine\n"  # nothing lost
    code, out = _invoke(tmp_path, "prompts", "copy", "ghost")
    assert code == 2 and "no prompt templates ['ghost']" in out


def test_prompts_option_and_env_after_the_subcommand(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "example.txt").write_text("Example: ${instruction}\n${transcript}\n")
    code, out = _invoke(tmp_path, "prompts", "--prompts", str(own), "show", "example")
    assert code == 0 and str(own / "example.txt") in out and "Example: ${instruction}" in out
    code, out = _invoke(tmp_path, "--prompts", str(tmp_path / "missing"), "prompts", "list")
    assert code == 2 and "prompt folder" in out and "does not exist" in out
    code, out = _invoke(tmp_path, "prompts", "list", "--env", "holodeck")
    assert code == 2 and "unknown environment 'holodeck'" in out
    code, out = _invoke(tmp_path, "config", "--env=alfworld")
    assert code == 0 and "alfworld" in out
