"""Arms compared task by task, end to end: the ``credit_player`` wins lamp tasks exactly when the HELP insight is
in its prompt, so with HELP in the store MSI beats no-insights by construction; with only an idle insight the two
arms play alike."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from credit_player import HELP, IDLE
from typer.testing import CliRunner

from insights_store import open_store
from msi_agent.cli.main import app
from msi_agent.records import Insight, Scale

HERE = Path(__file__).resolve().parent
FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]  # the tasks the player knows (household_player)


@pytest.fixture(autouse=True)
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))


def _eval(workspace: Path, name: str, insight: Insight) -> tuple[dict, str]:
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    try:
        store.add(insight, namespace=name)
    finally:
        store.close()
    families = [a for f in FAMILIES for a in ("-f", f)]
    result = CliRunner().invoke(
        app,
        [
            "--workspace", str(workspace), "--llm", "credit_player:make_model", "eval", "--name", name,
            "--namespace", name, "--test-tasks", "6", "--max-steps", "8", *families, "--baselines", "none",
        ],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output + repr(result.exception)
    run = workspace / "runs" / name
    return json.loads((run / "results.json").read_text()), (run / "results.md").read_text()


def test_a_helpful_insight_is_a_clear_win_and_an_idle_one_is_no_clear_difference(tmp_path: Path) -> None:
    results, md = _eval(tmp_path, "help", Insight(text=HELP, scale=Scale.SUBTASK, key="Lighting", score=4))
    rows = {(r["condition"], r["split"], r["family"]): r for r in results["rows"]}
    lamp = FAMILIES[1]
    assert (rows[("msi-hashmap", "all", lamp)]["sr"], rows[("no-insights", "all", lamp)]["sr"]) == (1.0, 0.0)
    msi, none = rows[("msi-hashmap", "all", "all")], rows[("no-insights", "all", "all")]
    (win,) = results["comparisons"]
    assert (win["arm"], win["versus"], win["pairs"]) == ("msi-hashmap", "no-insights", 12)  # 6 lamp tasks won
    assert win["success"]["mean"] == pytest.approx(msi["sr"] - none["sr"])  # every task paired: the SR gap
    assert 0 < win["success"]["low"] <= win["success"]["high"] <= 1 and win["verdict"] == "better"
    assert "## Arms compared on the same tasks" in md
    assert f"| msi-hashmap | no-insights | 12 | {100 * win['success']['mean']:+.1f} (" in md
    wins = round(msi["sr"] * 12)
    assert msi["sr_ci"] == pytest.approx(_wilson(wins, 12), abs=1e-4)  # the row's interval, as computed by hand

    results, md = _eval(tmp_path, "idle", Insight(text=IDLE, scale=Scale.GENERAL, score=2))
    (same,) = results["comparisons"]
    assert same["pairs"] == 12 and same["success"] == {"mean": 0.0, "low": 0.0, "high": 0.0, "p_value": 1.0}
    assert same["verdict"] == "no clear difference" and "| no clear difference |" in md


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's interval written out again from its formula, independently of ``msi_agent.stats``."""
    z, p = 1.959963984540054, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)
