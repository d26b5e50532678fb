"""Arms compared task by task, end to end: the ``credit_player`` wins lamp tasks exactly when the HELP insight is
in its prompt, so MSI beats no-insights there by construction, and on pick-and-place tasks (which HELP does not
touch) the two arms play alike."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from credit_player import HELP
from typer.testing import CliRunner

from insights_store import open_store
from msi_agent.cli.main import app
from msi_agent.records import Insight, Scale

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))


def _eval(workspace: Path, name: str, family: str) -> tuple[dict, str]:
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    try:
        store.add(Insight(text=HELP, scale=Scale.SUBTASK, key="Lighting", score=4), namespace="ns")
    finally:
        store.close()
    result = CliRunner().invoke(
        app,
        [
            "--workspace", str(workspace), "--llm", "credit_player:make_model", "eval", "--name", name,
            "--namespace", "ns", "--test-tasks", "4", "--max-steps", "20", "-f", family, "--baselines", "none",
        ],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output + repr(result.exception)
    run = workspace / "runs" / name
    return json.loads((run / "results.json").read_text()), (run / "results.md").read_text()


def test_a_helpful_insight_is_a_clear_win_and_an_idle_one_is_no_clear_difference(tmp_path: Path) -> None:
    results, md = _eval(tmp_path, "lamp", "look_at_obj_in_light")
    (win,) = results["comparisons"]
    assert (win["arm"], win["versus"], win["pairs"]) == ("msi-hashmap", "no-insights", 8)
    rows = {(r["condition"], r["split"], r["family"]): r for r in results["rows"]}
    msi, none = rows[("msi-hashmap", "all", "all")], rows[("no-insights", "all", "all")]
    assert (msi["sr"], none["sr"]) == (0.5, 0.0)  # half the lamp tasks are won with HELP, none without it
    assert win["success"]["mean"] == msi["sr"] - none["sr"]  # every task paired: the mean is the SR gap
    assert 0 < win["success"]["low"] < win["success"]["high"] <= 1 and win["verdict"] == "better"
    assert "## Arms compared on the same tasks" in md
    assert "| msi-hashmap | no-insights | 8 | +50.0 (+12.5, +87.5) |" in md
    assert msi["sr_ci"] == [pytest.approx(0.2152, abs=1e-4), pytest.approx(0.7848, abs=1e-4)]  # Wilson 4/8
    assert none["sr_ci"] == [0.0, pytest.approx(0.3244, abs=1e-4)]  # Wilson 0/8
    assert "| all | msi-hashmap | 4 | 50.0 | 50.0 | 50.0 | 50.0 | 15–85 |" in md  # the CI after the old columns

    results, md = _eval(tmp_path, "pick", "pick_and_place_simple")
    (same,) = results["comparisons"]
    assert same["pairs"] == 8 and same["success"]["mean"] == 0 and same["verdict"] == "no clear difference"
    assert "| no clear difference |" in md
