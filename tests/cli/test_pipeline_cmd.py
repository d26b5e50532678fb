"""`msi-agent collect | distill | eval | run` through the real CLI (typer), offline with the household player."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli.main import app

PLAYER_DIR = Path(__file__).resolve().parents[1] / "pipeline"


@pytest.fixture(autouse=True)
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(PLAYER_DIR))
    yield
    sys.path.remove(str(PLAYER_DIR))


def _invoke(
    workspace: Path, *args: str, store: str = "memory", llm: str = "household_player:make_model"
) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(workspace), "--store", store, "--llm", llm, *args],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def test_run_prints_the_table_and_resumes(tmp_path: Path) -> None:
    code, out = _invoke(tmp_path, "run", "--name", "cli", "--baselines", "none")
    assert code == 0, out
    assert "| msi-hashmap | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |" in out
    assert "| no-insights | 50.0 |" in out and f"run folder: {tmp_path / 'runs' / 'cli'}" in out
    code, out = _invoke(tmp_path, "run", "--name", "cli", "--baselines", "none", "--workers", "4")
    assert code == 0, out  # workers may change between resumptions
    code, out = _invoke(tmp_path, "run", "--name", "cli", "--max-steps", "5")
    assert code == 2 and "(agent.max_steps was 8, now 5)" in out and "--fresh" in out
    code, out = _invoke(tmp_path, "run", "--name", "cli", "--max-steps", "5", "--baselines", "none", "--fresh")
    assert code == 0, out


def test_stages_one_by_one_over_a_persistent_store(tmp_path: Path) -> None:
    base = ["--name", "s", "-f", "pick_and_place_simple", "-f", "look_at_obj_in_light", "--max-steps", "8"]
    code, out = _invoke(tmp_path, "collect", *base, "--train-tasks", "2", store="chroma")
    assert code == 0 and "collected 4 episodes (1/2 agent successes)" in out, out
    code, out = _invoke(
        tmp_path,
        "distill",
        "--name",
        "s",
        "--namespace",
        "s-flat",
        "--variant",
        "expel",
        "--order",
        "given",
        store="chroma",
    )
    assert code == 0 and "3 insight updates into namespace 's-flat'" in out, out
    code, out = _invoke(tmp_path, "distill", "--name", "s", "--namespace", "s-flat", store="chroma")
    assert code == 0 and "3 insight updates" in out, out  # resumed: nothing new to do
    code, out = _invoke(
        tmp_path,
        "eval",
        *base,
        "--namespace",
        "s-flat",
        "--insight-selector",
        "all",
        "--baselines",
        "",
        "--test-tasks",
        "1",
        store="chroma",
    )
    assert code == 0 and "| msi-all |" in out, out
    code, out = _invoke(tmp_path, "eval", "--name", "s", "--act-only", store="chroma")
    assert code == 2 and "(agent.act_only was False, now True)" in out, out
    more = ["--namespace", "s-flat", "--insight-selector", "all", "--baselines", "", "--test-tasks", "2"]
    code, out = _invoke(tmp_path, "eval", "--name", "s", *more, store="chroma")
    assert code == 0 and "| msi-all |" in out, out  # more tasks: accepted; max steps and families inherited
    manifest = json.loads((tmp_path / "runs" / "s" / "manifest.json").read_text())
    assert "pipeline.test_tasks" in manifest["commands"][-1]["changed"]
    assert manifest["settings"]["agent"]["max_steps"] == 8


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    code, out = _invoke(tmp_path, "run", "--name", "bad name")
    assert code == 2 and "run name 'bad name' is not valid" in out
    code, out = _invoke(tmp_path, "eval", "--baselines", "nope")
    assert (
        code == 2
        and "eval.baselines.0: Input should be 'none', 'expel', 'msi-hashmap'" in out
        and "got 'nope' (set via flag" in out
    )
    code, out = _invoke(tmp_path, "run", "--insight-selector", "magic")
    assert code == 2 and "eval.insight_selector" in out
    code, out = _invoke(tmp_path, "run", "--preset", "nope")
    assert code == 2 and "no preset 'nope' (known: paper-alfworld-dev," in out
    code, out = _invoke(tmp_path, "collect", "--backend", "rayz")
    assert code == 2 and "pipeline.backend: Input should be 'local' or 'ray', got 'rayz' (set via flag" in out


def test_settings_are_checked_before_anything_is_played(tmp_path: Path) -> None:
    """A seed order, task family, ablation spec or run to distil from that the run cannot use fails at once (exit 2,
    one line), before a run folder, an episode or an LLM call."""
    import household_player

    household_player.PROMPTS.clear()
    counted = "household_player:counted_model"
    cases = [
        (("run", "--name", "shift", "--seed-order", "rooms:Kitchen,Garage"), "['Garage'] are not categories"),
        (("distill", "--name", "shift", "--order", "families:cooking"), "['cooking'] are not task families"),
        (("eval", "--name", "shift", "--ablate", "top:0"), "--ablate 'top:0' is not one of top:K"),
        (("run", "--name", "shift", "-f", "juggling"), "unknown task families ['juggling']"),
        (("distill", "--name", "shift", "--from-run", "ghost"), "distill.from_run 'ghost': the experience pool holds"),
    ]
    for args, message in cases:
        code, out = _invoke(tmp_path, *args, llm=counted)
        error, *rest = out.strip().splitlines()
        assert code == 2 and error.startswith("error: ") and message in error and rest == ["2"], (args, out)
    assert household_player.PROMPTS == []
    assert not (tmp_path / "runs" / "shift").exists()
    code, out = _invoke(tmp_path, "collect", "--name", "shift", "--train-tasks", "1", llm=counted)
    assert code == 0 and household_player.PROMPTS, out  # the counter does count
