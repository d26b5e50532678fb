"""`msi-agent report`: self-contained HTML and Markdown with SVG charts."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.cli.report_cmd import default_folder
from msi_agent.inspect.compare import metric_charts
from msi_agent.inspect.formats import to_markdown
from msi_agent.inspect.runs import load_run
from msi_agent.pipeline.results import build_results, render_markdown
from msi_agent.records import Insight, Scale


def test_metric_charts_compare_conditions_per_family(workspace: Path) -> None:
    runs = [load_run(workspace / "runs" / "run-a")]
    charts = {c.slug: c for c in metric_charts(runs)}
    assert list(charts) == [
        "sr-overview",
        "gc-overview",
        "sr-valid_seen",
        "gc-valid_seen",
        "sr-valid_unseen",
        "gc-valid_unseen",
    ]
    assert charts["sr-overview"].groups == ["valid_seen", "valid_unseen", "all"]
    assert charts["sr-overview"].series == {"no-insights": [25.0, 0.0, 12.5], "msi": [50.0, 25.0, 37.5]}
    gc = charts["gc-valid_seen"]
    assert gc.groups == ["pick_and_place_simple", "all"]
    assert gc.series == {"no-insights": [50.0, 50.0], "msi": [75.0, 75.0]}


def test_report_cli_writes_self_contained_html_and_markdown(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    env = {"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["report", "run-a", str(workspace / "runs" / "run-b"), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from anywhere
    assert "<style>" in html and html.count("<svg") == 9  # SR+GC x (overview, 2 splits), 2 insight counts, tokens
    assert "run-a · msi" in html and "run-b · expel" in html
    md = (out / "report.md").read_text()
    assert "| valid_seen | pick_and_place_simple | 4 | 25.0 | 50.0 | 4 | 50.0 | 75.0 |" in md  # without | with
    assert "| 4 | 50.0 | 75.0 | 5–70 | " in md  # then each condition's intervals: Wilson 1/4 …
    assert "| msi | no-insights | 8 | +25.0 (" in md  # and the arms compared on the same tasks
    assert 'title="95% Wilson interval">5–70<' in html and '<table class="comparisons" data-run="run-a">' in html
    assert "| run-a | msi | 8 | 2,600 | 400 | 0 | 0 | 0.0034 |" in md  # no cached tokens, no errored episodes
    assert "| run-a | total | 16 | 5,200 | 800 | 0 | 0 | 0.0068 |" in md
    for link in re.findall(r"\]\((charts/[^)]+\.svg)\)", md):
        ET.parse(out / link)  # every linked chart exists and is well-formed


def test_report_cli_unknown_run(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["report", "ghost"], env={"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"})
    assert result.exit_code == 2 and "no run 'ghost'" in result.output


def test_long_distillations_are_sampled(workspace: Path) -> None:
    from msi_agent.inspect.compare import insight_count_charts
    from msi_agent.pipeline.records import InsightCount

    run = load_run(workspace / "runs" / "run-a")
    run.results.insight_counts = [InsightCount(step=i, counts={"general": i}) for i in range(1, 101)]
    (chart,) = insight_count_charts([run])
    assert len(chart.groups) == 20 and chart.groups[0] == "step 1" and chart.groups[-1] == "step 100"
    assert chart.series["general"][-1] == 100 and "20 of 100 steps" in chart.title


HOSTILE = {
    "pick_and_place_simple": "<script>alert('family')</script>",
    "msi": "<img src=x onerror=alert('condition')>",
    "no-insights": "[click](javascript:alert('link'))",
    "valid_seen": "![x](javascript:alert(1)) | <b>",
    "scripted": "`<iframe src=//evil.example>`&lt;script&gt;",
}
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "p",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "code",
    "em",
    "strong",
}


def _hostile(node: object) -> object:
    if isinstance(node, dict):
        return {HOSTILE.get(k, k): _hostile(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_hostile(v) for v in node]
    return HOSTILE.get(node, node) if isinstance(node, str) else node


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, dict(attrs)))


def assert_inert(markdown: str) -> None:
    """Rendered by a CommonMark renderer (HTML passthrough on, GFM tables), only Markdown's own tags appear."""
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parser = _Tags()
    parser.feed(html)
    tags = {tag for tag, _ in parser.seen}
    assert tags <= ALLOWED_TAGS, (tags - ALLOWED_TAGS, html)
    for tag, attrs in parser.seen:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "img":
            assert (attrs.get("src") or "").startswith("charts/"), attrs


def test_report_markdown_runs_no_script_from_data(workspace: Path, tmp_path: Path) -> None:
    """The break: run, family and condition names went into report.md raw, so HTML in them ran when rendered."""
    run = workspace / "runs" / "run-a"
    (run / "results.json").write_text(json.dumps(_hostile(json.loads((run / "results.json").read_text()))))
    manifest = json.loads((run / "manifest.json").read_text())  # typed: only its free text can carry data
    manifest["settings"]["llm"]["spec"] = HOSTILE["scripted"]
    (run / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "report"
    env = {"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["report", "run-a", "--out", str(out), "--title", "<b>t</b>"], env=env)
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text()
    assert_inert(md)
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "&lt;script&gt;alert('family')&lt;/script&gt;" in rendered  # shown as text, not dropped
    assert md.count("\n|") > 10  # the tables still have their rows: escaped pipes did not split cells
    html = (out / "report.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_results_markdown_and_insight_export_are_inert() -> None:
    results = build_results({"<script>x</script>": []}, llm="<img src=x onerror=alert(1)>", prices={})
    assert_inert(render_markdown(results, title="<script>t</script>"))
    insight = Insight(text="Use <script>alert(1)</script> [x](javascript:y)", scale=Scale.SUBTASK, key="<b>k</b>")
    assert_inert(to_markdown([insight], title="<img src=x onerror=1>"))


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/abs-report", "a/b", ""])
def test_report_refuses_a_manifest_name_that_is_a_path(workspace: Path, tmp_path: Path, name: str) -> None:
    """The break: `report` wrote into <workspace>/reports/<manifest name>, so `../../x` or `/abs` left the workspace."""
    manifest = workspace / "runs" / "run-a" / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"name": name or 7}))
    env = {"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"}
    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(app, ["report", "run-a"], env=env)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "not valid" in result.output and "manifest.json" in result.output
    assert set(tmp_path.rglob("*")) == before


def test_report_default_folder_stays_in_the_workspace(workspace: Path) -> None:
    env = {"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["report", "run-a", "run-b"], env=env)
    assert result.exit_code == 0, result.output
    assert (workspace / "reports" / "run-a+run-b" / "report.md").is_file()
    long = default_folder(workspace, [f"run-{i:03d}-with-a-long-name" for i in range(20)])
    assert long.parent == (workspace / "reports").resolve() and len(long.name) < 80


def test_report_into_an_unwritable_folder_is_one_line(workspace: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["report", "run-a", "--out", str(blocker / "sub")], env=env)
    assert result.exit_code == 2 and "cannot write the report" in result.output and "Traceback" not in result.output
