"""`msi-agent insights …` end to end through typer, on the memory store (injected) and on embedded Chroma
(opened by the CLI itself from the workspace, hash embeddings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from insight_fixtures import NS, SNAPSHOT, fill
from typer.testing import CliRunner

from insights_store import open_store
from insights_store.base import InsightStore
from insights_store.embeddings import HashEmbeddings
from insights_store.memory import MemoryStore
from msi_agent.cli import app, insights_cmd


class Cli:
    """Runs the CLI against one filled store; ``reopen`` gives a fresh handle to check what was persisted."""

    def __init__(self, runner: CliRunner, env: dict[str, str], ids: dict[str, str], reopen) -> None:
        self.runner, self.env, self.ids, self.reopen = runner, env, ids, reopen

    def __call__(self, *args: str, input: str | None = None, ns: str | None = NS):
        argv = ["insights", *args, *(["--ns", ns] if ns else [])]
        return self.runner.invoke(app, argv, env=self.env, input=input)


@pytest.fixture(params=["memory", "chroma"])
def cli(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    runner = CliRunner()
    if request.param == "memory":
        store = MemoryStore(HashEmbeddings())
        ids = fill(store)
        monkeypatch.setattr(insights_cmd, "open_configured", lambda settings, create=False: store)
        yield Cli(runner, env, ids, lambda: store)
        return
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    ids = fill(store)
    store.close()
    handles: list[InsightStore] = []

    def reopen() -> InsightStore:
        handles.append(open_store("chroma", workspace=tmp_path, embeddings="hash"))
        return handles[-1]

    yield Cli(runner, env, ids, reopen)
    for h in handles:
        h.close()


def test_list_filters(cli: Cli) -> None:
    out = cli("list").output
    assert "5 insights in exp1" in out and "Revealing Hidden Objects" in out
    out = cli("list", "--scale", "environment", "--key", "Kitchen").output
    assert "microwave" in out and "Bedrooms" not in out
    out = cli("list", "--min-score", "3").output
    assert "1 insights" in out and cli.ids["general"] in out


def test_show_prints_history_with_provenance(cli: Cli) -> None:
    result = cli("show", cli.ids["placement"])
    assert result.exit_code == 0
    assert "EDIT" in result.output and "ep-failure-1" in result.output and "call-2" in result.output
    assert "before going to the target receptacle" in result.output  # the ADD's original text


def test_search_keys_stats(cli: Cli) -> None:
    out = cli("search", "reveal hidden objects", "-k", "2").output
    rows = [line for line in out.splitlines() if line.startswith("│ ") and line[2:18].isalnum()]
    assert len(rows) == 2 and cli.ids["hidden"] in rows[0]
    keys = cli("keys", "--scale", "subtask").output
    assert "Object Placement" in keys and "Kitchen" not in keys
    stats = cli("stats").output
    assert "total 5" in stats and SNAPSHOT in stats


def test_export_formats_and_round_trip(cli: Cli, tmp_path: Path) -> None:
    md = cli("export", "--format", "md").output
    assert md.startswith("# Insights in exp1") and "### Kitchen" in md
    csv_text = cli("export", "-f", "csv").output
    assert csv_text.splitlines()[0].startswith("id,scale,key,score,text")
    assert len(csv_text.splitlines()) == 6
    out = tmp_path / "exp1.jsonl"
    assert cli("export", "-o", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and all("history" in json.loads(line) for line in lines)
    assert cli("import", str(out), ns="copy").exit_code == 0
    diff = cli("diff", NS, "copy", ns=None)
    assert "no differences: 5 insights" in diff.output


def test_malformed_import_line_reports_line_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    good = json.dumps({"text": "Look inside the fridge for cold food.", "scale": "general"})
    bad_scale = json.dumps({"text": "x", "scale": "cosmic"})
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n\n{bad_scale}\n{good}\n")
    result = cli("import", str(path), ns="fresh")
    assert result.exit_code == 2
    assert "line 3" in result.output and "bad.jsonl" in result.output
    assert "fresh" not in cli.reopen().namespaces()
    path.write_text(f"{good}\nnot json at all\n")
    assert "line 2 is not JSON" in cli("import", str(path), ns="fresh").output
    assert "does not exist" in cli("import", str(tmp_path / "none.jsonl")).output


def test_edit_and_delete(cli: Cli) -> None:
    kitchen = cli.ids["kitchen"]
    assert cli("edit", kitchen, "--score", "4", "--text", "Heat food in the microwave.").exit_code == 0
    assert cli.reopen().get(kitchen, namespace=NS).score == 4
    refused = cli("edit", kitchen, "--text", "   ")
    assert refused.exit_code == 2 and "empty" in refused.output
    assert cli("edit", kitchen).exit_code == 2  # nothing to change
    declined = cli("delete", kitchen, input="n\n")
    assert declined.exit_code == 1 and "nothing deleted" in declined.output
    assert cli.reopen().get(kitchen, namespace=NS).text == "Heat food in the microwave."
    partly_unknown = cli("delete", kitchen, "nope", "--yes")
    assert partly_unknown.exit_code == 2 and "no insight 'nope'" in partly_unknown.output
    assert kitchen in {i.id for i in cli.reopen().list(namespace=NS)}
    assert cli("delete", kitchen, input="y\n").exit_code == 0
    assert kitchen not in {i.id for i in cli.reopen().list(namespace=NS)}


def test_diff_snapshot_against_latest(cli: Cli) -> None:
    out = cli("diff", SNAPSHOT, NS, ns=None).output
    assert "1 added, 0 removed, 2 changed, 2 unchanged" in out
    assert "Bedrooms" in out
    assert "no namespace 'ghost'" in cli("diff", SNAPSHOT, "ghost", ns=None).output


def test_unknown_id(cli: Cli) -> None:
    result = cli("show", "nope")
    assert result.exit_code == 2 and "no insight 'nope'" in result.output


def test_missing_store_is_an_error_not_an_empty_store(tmp_path: Path) -> None:
    env = {"MSI_WORKSPACE": str(tmp_path / "empty"), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["insights", "list"], env=env)
    assert result.exit_code == 2 and "no insight store at" in result.output
    assert not (tmp_path / "empty").exists()
    memory = CliRunner().invoke(app, ["--store", "memory", "insights", "stats"], env=env)
    assert memory.exit_code == 2 and "only inside one process" in memory.output
