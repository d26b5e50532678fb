"""`msi-agent report RUN...`: a self-contained HTML and a Markdown report of one or more runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import typer

from msi_agent.cli.context import console, fail, state
from msi_agent.inspect.report import write_report
from msi_agent.inspect.runs import RunRecordError, load_run, resolve_run

REPORTS_DIR = "reports"
MAX_FOLDER_NAME = 120


def default_folder(workspace: Path, names: list[str]) -> Path:
    """``<workspace>/reports/<run>+<run>…`` (hashed when long); never outside the workspace."""
    joined = "+".join(names)
    if len(joined) > MAX_FOLDER_NAME:
        joined = f"{names[0]}+{len(names) - 1}-more-{hashlib.sha256(joined.encode()).hexdigest()[:12]}"
    root = (workspace / REPORTS_DIR).resolve()
    target = (root / joined).resolve()
    if target.parent != root:  # run names are checked on loading; this keeps it true if that ever changes
        raise ValueError(f"report folder {target} would leave {root}; give --out")
    return target


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
        target = out or default_folder(workspace, [r.name for r in loaded])
    except (RunRecordError, ValueError) as exc:
        fail(str(exc))
        return
    try:
        files = write_report(loaded, target, title=title)
    except OSError as exc:
        fail(f"cannot write the report into {target} ({exc.strerror or exc}); give a writable folder with --out")
        return
    console.print(f"wrote {files.html}\nwrote {files.markdown} (+ {len(files.charts)} SVG charts)")
