"""`msi-agent report RUN...`: a self-contained HTML and a Markdown report of one or more runs."""

from __future__ import annotations

from pathlib import Path

import typer

from msi_agent.cli.context import console, fail, state
from msi_agent.inspect.report import write_report
from msi_agent.inspect.runs import RunFormatError, load_run, resolve_run


def report(
    ctx: typer.Context,
    runs: list[str] = typer.Argument(..., help="run folders, or run names under <workspace>/runs"),
    out: Path | None = typer.Option(None, "--out", "-o", help="output folder; default <workspace>/reports/<runs>"),
    title: str | None = typer.Option(None, help="report title"),
) -> None:
    """SR and GC per family and split with vs without insights, insight counts per distill step, tokens, cost."""
    workspace = state(ctx).resolved().settings.workspace
    try:
        loaded = [load_run(resolve_run(ref, workspace)) for ref in runs]
    except RunFormatError as exc:
        fail(str(exc))
        return
    target = out or workspace / "reports" / "+".join(r.name for r in loaded)
    files = write_report(loaded, target, title=title)
    console.print(f"wrote {files.html}\nwrote {files.markdown} (+ {len(files.charts)} SVG charts)")
