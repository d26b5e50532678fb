"""`msi-agent run --executor program --family F` for every TEACh family, offline, with the scripted program writer."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli.main import app

PLAYER_DIR = Path(__file__).resolve().parents[1] / "pipeline"
sys.path.insert(0, str(PLAYER_DIR))
from household_player import GENERAL_RULE  # noqa: E402
from program_player import TASKS, TEACH  # noqa: E402

sys.path.remove(str(PLAYER_DIR))


@pytest.fixture(autouse=True)
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(PLAYER_DIR))
    yield
    sys.path.remove(str(PLAYER_DIR))


def _run(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(workspace), "--store", "memory", "--llm", "program_player:make_model", "run", *args],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


@pytest.mark.slow
@pytest.mark.parametrize("family", TEACH)
def test_run_with_the_program_executor_wins_every_teach_family(tmp_path: Path, family: str) -> None:
    sizes = ["--train-tasks", str(TASKS), "--test-tasks", str(TASKS), "--baselines", "none"]
    code, out = _run(tmp_path, "--name", "p", "--executor", "program", "--family", family, *sizes)
    assert code == 0, out
    assert "| no-insights | 100.0 |" in out, out
    manifest = json.loads((tmp_path / "runs" / "p" / "manifest.json").read_text())
    assert manifest["settings"]["agent"]["executor"] == "program"
    episode = json.loads(next((tmp_path / "runs" / "p").glob("episodes/no-insights/*.json")).read_text())
    assert (
        episode["steps"][0]["action"] == "write program" and "InteractionObject(" in episode["steps"][0]["raw_output"]
    )
    code, out = _run(tmp_path, "--name", "p", "--executor", "react", "--family", family, *sizes)
    assert code == 2 and "(agent.executor was 'program', now 'react')" in out, out


def test_the_msi_arms_programs_are_written_with_the_distilled_insights(tmp_path: Path) -> None:
    from msi_agent.pipeline.calllog import CallLog

    sizes = ["--train-tasks", str(TASKS), "--test-tasks", str(TASKS), "--baselines", "none"]
    code, out = _run(tmp_path, "--name", "p", "--executor", "program", "--family", "coffee", *sizes)
    assert code == 0, out
    log = CallLog(tmp_path / "runs" / "p" / "calls.sqlite")
    try:
        programs = [c for c in log.calls() if c.purpose == "program"]
    finally:
        log.close()
    with_rules = {c.scope for c in programs if any(GENERAL_RULE in text for _, text in c.messages)}
    assert with_rules == {"msi-hashmap"} and {c.scope for c in programs} >= {"msi-hashmap", "no-insights"}
