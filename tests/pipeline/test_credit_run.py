"""Credit end to end through the CLI: insights whose effect is known by construction (``credit_player``), an
evaluation with ablation arms, then `insights credit`, `apply-credit` and the report."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from credit_player import HARM, HELP, IDLE, UNUSED
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from insights_store import open_store
from msi_agent.cli.main import app
from msi_agent.inspect.viewer import create_app
from msi_agent.records import Insight, Scale

HERE = Path(__file__).resolve().parent
FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]


@pytest.fixture(autouse=True)
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))


def _cli(workspace: Path, *args: str) -> str:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(workspace), "--llm", "credit_player:make_model", *args],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _seed(workspace: Path) -> dict[str, str]:
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    try:
        ids = {
            "help": store.add(Insight(text=HELP, scale=Scale.SUBTASK, key="Lighting", score=4), namespace="ns"),
            "harm": store.add(Insight(text=HARM, scale=Scale.GENERAL, score=3), namespace="ns"),
            "idle": store.add(Insight(text=IDLE, scale=Scale.GENERAL, score=2), namespace="ns"),
            "unused": store.add(Insight(text=UNUSED, scale=Scale.SUBTASK, key="Cooling", score=1), namespace="ns"),
        }
    finally:
        store.close()
    return ids


def test_credit_ranks_helpful_first_and_harmful_last(tmp_path: Path) -> None:
    ids = _seed(tmp_path)
    families = [a for f in FAMILIES for a in ("-f", f)]
    out = _cli(
        tmp_path, "eval", "--name", "cr", "--namespace", "ns", "--test-tasks", "6", "--max-steps", "8", *families,
        "--baselines", "none", "--ablate", "top:3",
    )  # fmt: skip
    assert "ablation: 3 arm(s) × 12 tasks = 36 episodes" in out
    results = json.loads((tmp_path / "runs" / "cr" / "results.json").read_text())
    sr = {(r["condition"], r["family"]): r["sr"] for r in results["rows"] if r["split"] == "all"}
    full, no_help = "msi-hashmap", f"ablate-{ids['help']}"
    assert (sr[(full, FAMILIES[1])], sr[(no_help, FAMILIES[1])]) == (1.0, 0.0)  # the lamp family drops …
    assert sr[(full, FAMILIES[0])] == sr[(no_help, FAMILIES[0])]  # … and only the lamp family

    rows = json.loads(_cli(tmp_path, "insights", "credit", "cr", "--ns", "ns", "--json"))
    by = {r["insight_id"]: r for r in rows}
    evidenced = [r["insight_id"] for r in rows if r["verdict"] != "not enough evidence"]
    assert evidenced[0] == ids["help"] and evidenced[-1] == ids["harm"]
    assert by[ids["help"]]["success"]["mean"] > 0 and by[ids["help"]]["verdict"] == "helps"
    assert by[ids["harm"]]["success"]["mean"] < 0 and by[ids["harm"]]["verdict"] == "hurts"
    assert by[ids["idle"]]["verdict"] == "no clear effect"
    assert by[ids["unused"]]["verdict"] == "not enough evidence" and by[ids["unused"]]["used"] == 0
    assert by[ids["help"]]["exact_pairs"] == by[ids["help"]]["pairs"] == 6  # stats.MIN_PAIRS: a verdict needs 6

    _cli(tmp_path, "report", "cr", "--out", str(tmp_path / "report"))
    md = (tmp_path / "report" / "report.md").read_text()
    assert f"| `{ids['help']}` |" in md and "| helps |" in md and "| hurts |" in md

    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:  # the viewer: a measured column in the list, the evidence on each insight's page
        viewer = TestClient(create_app(store, workspace=tmp_path, namespace="ns"), base_url="http://127.0.0.1:8765")
        listing = viewer.get("/insights").text
        assert "helps (+" in listing and "hurts (-" in listing and "unused" in listing
        page = viewer.get(f"/insights/{ids['help']}").text
        assert 'id="credit-verdict">helps<' in page and 'href="/episodes/cr.msi-hashmap.' in page
    finally:
        store.close()

    _cli(tmp_path, "insights", "apply-credit", "cr", "--ns", "ns", "--yes")
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        scores = {k: store.get(v, namespace="ns").score for k, v in ids.items()}
        history = store.history(ids["harm"], namespace="ns")
    finally:
        store.close()
    assert scores == {"help": 5, "harm": 2, "idle": 2, "unused": 1}
    assert history[-1].provenance.measured and history[-1].provenance.measured.startswith("hurts: success -")
    assert history[0].provenance.measured is None  # the store's own add, told apart from measured credit
