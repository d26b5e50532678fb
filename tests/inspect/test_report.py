"""`msi-agent report`: self-contained HTML and Markdown with SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.inspect.compare import metric_charts
from msi_agent.inspect.runs import load_run


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
    assert "| run-a | msi | 8 | 2,600 | 400 | 0.0034 |" in md
    assert "| run-a | total | 16 | 5,200 | 800 | 0.0068 |" in md
    for link in re.findall(r"\]\((charts/[^)]+\.svg)\)", md):
        ET.parse(out / link)  # every linked chart exists and is well-formed


def test_report_cli_unknown_run(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["report", "ghost"], env={"MSI_WORKSPACE": str(workspace), "COLUMNS": "200"})
    assert result.exit_code == 2 and "no run 'ghost'" in result.output


def test_long_distillations_are_sampled(workspace: Path) -> None:
    from msi_agent.inspect.compare import insight_count_charts
    from msi_agent.inspect.runs import InsightCount

    run = load_run(workspace / "runs" / "run-a")
    run.results.insight_counts = [InsightCount(step=i, counts={"general": i}) for i in range(1, 101)]
    (chart,) = insight_count_charts([run])
    assert len(chart.groups) == 20 and chart.groups[0] == "step 1" and chart.groups[-1] == "step 100"
    assert chart.series["general"][-1] == 100 and "20 of 100 steps" in chart.title
