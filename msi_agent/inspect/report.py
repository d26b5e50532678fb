"""``msi-agent report``: one or more runs as a self-contained HTML page (inline CSS and SVG, nothing fetched)
and a Markdown file with its charts as SVG files beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from msi_agent.inspect.charts import to_svg
from msi_agent.inspect.compare import all_charts, usage_rows
from msi_agent.inspect.credit import credit
from msi_agent.inspect.runs import RunData, run_episodes
from msi_agent.inspect.templating import environment
from msi_agent.pipeline.records import Manifest

MANIFEST_FIELDS: dict[str, Callable[[Manifest], object]] = {
    "LLM": lambda m: m.settings.llm.spec,
    "environment": lambda m: m.settings.env.name,
    "selector": lambda m: m.settings.distill.selector.value,
    "insight selector": lambda m: m.settings.eval.insight_selector.value,
    "seed": lambda m: m.settings.pipeline.seed,
    "commit": lambda m: m.git_commit,
    "started": lambda m: m.started.isoformat(),
}
"""Column label → the manifest value the report's run table shows."""


@dataclass(frozen=True, slots=True)
class ReportFiles:
    html: Path
    markdown: Path
    charts: list[Path]


def manifest_value(run: RunData, label: str) -> str:
    value = MANIFEST_FIELDS[label](run.manifest)
    return "–" if value is None else str(value)


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
