"""``msi-agent report``: one or more runs as a self-contained HTML page (inline CSS and SVG, nothing fetched)
and a Markdown file with its charts as SVG files beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from msi_agent.inspect.charts import to_svg
from msi_agent.inspect.compare import all_charts, usage_rows
from msi_agent.inspect.credit import credit
from msi_agent.inspect.runs import RunData, run_episodes
from msi_agent.inspect.templating import environment

# Column label → dotted paths tried in order inside manifest.json (the first present wins).
MANIFEST_FIELDS: dict[str, tuple[str, ...]] = {
    "LLM": ("config.llm.spec", "llm"),
    "environment": ("config.env.name", "env"),
    "selector": ("config.pipeline.selector", "selector"),
    "insight selector": ("config.pipeline.insight_selector", "insight_selector"),
    "seed": ("config.pipeline.seed", "seed"),
    "commit": ("git_commit", "commit"),
    "started": ("started", "created"),
}


@dataclass(frozen=True, slots=True)
class ReportFiles:
    html: Path
    markdown: Path
    charts: list[Path]


def manifest_value(run: RunData, label: str) -> str:
    for dotted in MANIFEST_FIELDS[label]:
        node: Any = run.manifest
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return str(node)
    return "–"


def _msi_version() -> str:
    try:
        return version("msi-agent")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "dev"


def _file_name(slug: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", slug).strip("-") or "chart"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return f"{name}.svg"


def write_report(runs: Sequence[RunData], out_dir: Path, *, title: str | None = None) -> ReportFiles:
    """Write ``report.html``, ``report.md`` and ``charts/*.svg`` into ``out_dir`` (created if needed)."""
    if not runs:
        raise ValueError("no runs to report on; name at least one run folder or run name")
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = all_charts(runs)
    used: set[str] = set()
    chart_files = [f"charts/{_file_name(c.slug or c.title, used)}" for c in charts]
    (out_dir / "charts").mkdir(exist_ok=True)
    for chart, rel in zip(charts, chart_files, strict=True):
        (out_dir / rel).write_text(to_svg(chart), encoding="utf-8")
    context = {
        "title": title or "msi-agent report: " + ", ".join(r.name for r in runs),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": _msi_version(),
        "runs": list(runs),
        "charts": charts,
        "chart_files": chart_files,
        "usage": usage_rows(runs),
        "credit": [c for c in credit(e for r in runs for e in run_episodes(r)) if c.used],
        "manifest_fields": list(MANIFEST_FIELDS),
        "manifest_value": manifest_value,
    }
    env = environment()
    html = out_dir / "report.html"
    md = out_dir / "report.md"
    html.write_text(env.get_template("report.html.j2").render(context), encoding="utf-8")
    md.write_text(env.get_template("report.md.j2").render(context), encoding="utf-8")
    return ReportFiles(html=html, markdown=md, charts=[out_dir / rel for rel in chart_files])
