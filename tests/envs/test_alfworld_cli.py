"""`msi-agent alfworld crosscheck` (the alfworld spec's commands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envs.alfworld.engine import AlfworldEnv
from msi_agent.cli.main import app

runner = CliRunner()


def test_crosscheck_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AlfworldEnv, "unavailable_reason", staticmethod(lambda: "textworld not installed; pip ..."))
    result = runner.invoke(app, ["alfworld", "crosscheck", "--n", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "textworld not installed" in result.output


@pytest.mark.alfworld
def test_crosscheck_small_run_writes_a_report(tmp_path: Path) -> None:
    pytest.importorskip("textworld", reason="install the alfworld extra: pip install -e '.[alfworld]'")
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["alfworld", "crosscheck", "--n", "2", "--seed", "4", "--workers", "1", "--quiet",
                                 "--json", str(out)], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2/2 instances agree" in result.output
    report = json.loads(out.read_text())
    assert [i["family"] for i in report["instances"]] == ["pick_and_place_simple", "look_at_obj_in_light"]
